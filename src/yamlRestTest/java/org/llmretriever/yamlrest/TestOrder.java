package org.llmretriever.yamlrest;

import org.junit.Test;
import org.junit.runner.Description;
import org.junit.runner.manipulation.Ordering;
import org.junit.runner.manipulation.Sorter;
import org.junit.runners.model.FrameworkMethod;
import org.junit.runners.model.TestClass;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * The order in which a test class annotated {@code @OrderWith(TestOrder.class)} runs its methods, chosen with the
 * system property {@value #PROPERTY}, to show that its tests do not depend on each other's order: unset (JUnit's
 * default order), {@code reverse} (that order reversed), {@code shuffle} (a random order; the seed is printed) or
 * {@code shuffle:<seed>} (to repeat one). {@code ORDER=reverse IT=ClusterFaultIT tools/run-yaml} sets it.
 * <p>
 * Each order is a sort on a key of the method, not a permutation of the order it is given, because JUnit 4.13
 * applies an {@code @OrderWith} twice when a class is run through {@code Request.aClass} (as Maven's providers do):
 * a plain reversal would cancel itself out.
 */
public final class TestOrder implements Ordering.Factory {
    /** The system property that selects the order. */
    public static final String PROPERTY = "llmretriever.test.order";
    /** The order of this JVM: {@code default}, {@code reverse} or {@code shuffle:<seed>}. */
    static final String CHOSEN = choose(System.getProperty(PROPERTY, ""));

    @Override
    public Ordering create(Ordering.Context context) {
        if (CHOSEN.startsWith("shuffle:")) {
            long seed = Long.parseLong(CHOSEN.substring("shuffle:".length()));
            return new Sorter(Comparator.comparingLong(d -> new SplittableRandom(seed ^ Objects.hashCode(d.getMethodName())).nextLong()));
        }
        List<String> defaultOrder = new TestClass(context.getTarget().getTestClass()).getAnnotatedMethods(Test.class).stream()
            .map(FrameworkMethod::getName)
            .toList();
        Comparator<Description> byDefault = Comparator.comparingInt(d -> defaultOrder.indexOf(d.getMethodName()));
        return new Sorter(CHOSEN.equals("reverse") ? byDefault.reversed() : byDefault);
    }

    private static String choose(String property) {
        String p = property.trim();
        if (p.isEmpty() || p.equals("default")) {
            return "default";
        }
        if (p.equals("reverse") || p.matches("shuffle:-?\\d+")) {
            return p;
        }
        if (p.equals("shuffle")) {
            String chosen = "shuffle:" + new Random().nextLong();
            System.out.println(PROPERTY + "=" + chosen + " (pass it to repeat this order)");
            return chosen;
        }
        throw new IllegalArgumentException(PROPERTY + " must be default, reverse, shuffle or shuffle:<seed>, got " + property);
    }
}
