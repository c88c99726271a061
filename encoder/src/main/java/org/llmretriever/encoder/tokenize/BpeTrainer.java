package org.llmretriever.encoder.tokenize;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Trains a GPT-2-style byte-level BPE tokenizer on a corpus and writes it as a Hugging Face {@code tokenizer.json}
 * (ByteLevel pre-tokenizer and decoder, BOS added by a template post-processor). Needed to build a base model
 * from scratch where no pretrained tokenizer can be downloaded. Special tokens get ids 0..3:
 * {@code <unk> <s> </s> <pad>}; then the 256 byte symbols, then merges in order.
 */
public final class BpeTrainer {
    /** Special tokens, in id order. */
    public static final List<String> SPECIALS = List.of("<unk>", "<s>", "</s>", "<pad>");
    /** Id of {@code <s>}. */
    public static final int BOS_ID = 1;
    /** Id of {@code </s>}. */
    public static final int EOS_ID = 2;
    /** Id of {@code <pad>}. */
    public static final int PAD_ID = 3;

    private static final Pattern GPT2_SPLIT = Pattern.compile(
        "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+");
    private static final ObjectMapper JSON = new ObjectMapper();

    private BpeTrainer() {}

    /** GPT-2's reversible byte → printable character map. */
    static char[] byteToChar() {
        char[] map = new char[256];
        boolean[] direct = new boolean[256];
        for (int b = '!'; b <= '~'; b++) {
            direct[b] = true;
        }
        for (int b = 0xA1; b <= 0xAC; b++) {
            direct[b] = true;
        }
        for (int b = 0xAE; b <= 0xFF; b++) {
            direct[b] = true;
        }
        int n = 0;
        for (int b = 0; b < 256; b++) {
            map[b] = direct[b] ? (char) b : (char) (256 + n++);
        }
        return map;
    }

    /**
     * Trains on {@code texts} until the vocabulary (specials + 256 bytes + merges) reaches {@code vocabSize} or no
     * pair occurs at least {@code minFrequency} times; returns the tokenizer.json text.
     */
    public static String train(Iterable<String> texts, int vocabSize, int minFrequency) {
        int base = SPECIALS.size() + 256;
        if (vocabSize < base) {
            throw new IllegalArgumentException("vocabulary size must be at least " + base);
        }
        char[] b2c = byteToChar();
        Map<String, Integer> wordCounts = new HashMap<>();
        for (String text : texts) {
            Matcher m = GPT2_SPLIT.matcher(text);
            while (m.find()) {
                byte[] bytes = m.group().getBytes(StandardCharsets.UTF_8);
                StringBuilder sb = new StringBuilder(bytes.length);
                for (byte x : bytes) {
                    sb.append(b2c[x & 0xff]);
                }
                wordCounts.merge(sb.toString(), 1, Integer::sum);
            }
        }
        // Symbols: specials, bytes, then merged strings.
        List<String> symbols = new ArrayList<>(SPECIALS);
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < SPECIALS.size(); i++) {
            ids.put(SPECIALS.get(i), i);
        }
        for (int b = 0; b < 256; b++) {
            String s = String.valueOf(b2c[b]);
            ids.put(s, symbols.size());
            symbols.add(s);
        }
        // Words as symbol-id arrays, in a stable order.
        List<String> wordList = new ArrayList<>(wordCounts.keySet());
        wordList.sort(null);
        int[][] words = new int[wordList.size()][];
        int[] freq = new int[wordList.size()];
        for (int w = 0; w < words.length; w++) {
            String word = wordList.get(w);
            words[w] = new int[word.length()];
            for (int i = 0; i < word.length(); i++) {
                words[w][i] = ids.get(String.valueOf(word.charAt(i)));
            }
            freq[w] = wordCounts.get(word);
        }
        Map<Long, Long> pairCount = new HashMap<>();
        Map<Long, Set<Integer>> pairWords = new HashMap<>();
        for (int w = 0; w < words.length; w++) {
            addPairs(words[w], freq[w], w, pairCount, pairWords, 1);
        }
        PriorityQueue<long[]> heap = new PriorityQueue<>((a, b) -> a[0] != b[0] ? Long.compare(b[0], a[0]) : Long.compare(a[1], b[1]));
        pairCount.forEach((p, c) -> heap.add(new long[] { c, p }));
        List<String> merges = new ArrayList<>();
        while (symbols.size() < vocabSize && !heap.isEmpty()) {
            long[] top = heap.poll();
            long pair = top[1];
            long current = pairCount.getOrDefault(pair, 0L);
            if (current != top[0]) {
                if (current > 0) {
                    heap.add(new long[] { current, pair });
                }
                continue; // stale entry
            }
            if (current < minFrequency) {
                break;
            }
            int left = (int) (pair >>> 32);
            int right = (int) pair;
            String mergedStr = symbols.get(left) + symbols.get(right);
            Integer existing = ids.get(mergedStr); // another pair may already have produced this string
            int merged = existing != null ? existing : symbols.size();
            if (existing == null) {
                symbols.add(mergedStr);
                ids.put(mergedStr, merged);
            }
            merges.add(symbols.get(left) + " " + symbols.get(right));
            Set<Long> touched = new HashSet<>();
            for (int w : new ArrayList<>(pairWords.getOrDefault(pair, Set.of()))) {
                addPairs(words[w], freq[w], w, pairCount, pairWords, -1);
                words[w] = applyMerge(words[w], left, right, merged);
                addPairs(words[w], freq[w], w, pairCount, pairWords, 1);
                for (int i = 0; i + 1 < words[w].length; i++) {
                    touched.add(key(words[w][i], words[w][i + 1]));
                }
            }
            pairCount.remove(pair);
            pairWords.remove(pair);
            for (long p : touched) {
                long c = pairCount.getOrDefault(p, 0L);
                if (c > 0) {
                    heap.add(new long[] { c, p });
                }
            }
        }
        return toJson(symbols, merges);
    }

    private static long key(int a, int b) {
        return ((long) a << 32) | (b & 0xffffffffL);
    }

    private static void addPairs(int[] word, int freq, int w, Map<Long, Long> counts, Map<Long, Set<Integer>> index, int sign) {
        for (int i = 0; i + 1 < word.length; i++) {
            long k = key(word[i], word[i + 1]);
            long c = counts.getOrDefault(k, 0L) + (long) sign * freq;
            if (c <= 0) {
                counts.remove(k);
            } else {
                counts.put(k, c);
            }
            if (sign > 0) {
                index.computeIfAbsent(k, x -> new HashSet<>()).add(w);
            }
        }
    }

    private static int[] applyMerge(int[] word, int left, int right, int merged) {
        int[] out = new int[word.length];
        int n = 0;
        for (int i = 0; i < word.length; i++) {
            if (i + 1 < word.length && word[i] == left && word[i + 1] == right) {
                out[n++] = merged;
                i++;
            } else {
                out[n++] = word[i];
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    /** The ByteLevel component: the same fields serve as pre-tokenizer (bytes to symbols) and as decoder (back). */
    private static void byteLevel(ObjectNode component, boolean addPrefixSpace) {
        component.put("type", "ByteLevel");
        component.put("add_prefix_space", addPrefixSpace);
        component.put("trim_offsets", true);
        component.put("use_regex", true);
    }

    private static String toJson(List<String> symbols, List<String> merges) {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int i = 0; i < SPECIALS.size(); i++) {
            TextTokenizer.addSpecialToken(added, i, SPECIALS.get(i));
        }
        root.putNull("normalizer");
        byteLevel(root.putObject("pre_tokenizer"), false);
        ObjectNode post = root.putObject("post_processor");
        post.put("type", "TemplateProcessing");
        ArrayNode single = post.putArray("single");
        single.addObject().putObject("SpecialToken").put("id", "<s>").put("type_id", 0);
        single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        ArrayNode pair = post.putArray("pair");
        pair.addObject().putObject("SpecialToken").put("id", "<s>").put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        pair.addObject().putObject("SpecialToken").put("id", "<s>").put("type_id", 1);
        pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
        ObjectNode st = post.putObject("special_tokens").putObject("<s>");
        st.put("id", "<s>");
        st.putArray("ids").add(BOS_ID);
        st.putArray("tokens").add("<s>");
        byteLevel(root.putObject("decoder"), true);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        ObjectNode vocab = model.putObject("vocab");
        Map<String, Integer> ordered = new LinkedHashMap<>();
        for (int i = 0; i < symbols.size(); i++) {
            ordered.put(symbols.get(i), i);
        }
        ordered.forEach(vocab::put);
        ArrayNode m = model.putArray("merges");
        merges.forEach(m::add);
        try {
            return JSON.writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A matching {@code tokenizer_config.json}. */
    public static String tokenizerConfigJson(int modelMaxLength) {
        ObjectNode c = JSON.createObjectNode();
        c.put("tokenizer_class", "PreTrainedTokenizerFast");
        c.put("bos_token", "<s>");
        c.put("eos_token", "</s>");
        c.put("pad_token", "<pad>");
        c.put("unk_token", "<unk>");
        c.put("add_bos_token", true);
        c.put("model_max_length", modelMaxLength);
        return c.toPrettyString();
    }
}
