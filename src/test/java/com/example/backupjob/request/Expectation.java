package com.example.backupjob.request;

import com.example.backupjob.error.InvalidParameterValueException;
import com.example.backupjob.error.InvalidRequestException;
import com.example.backupjob.error.MissingParameterValueException;
import com.example.backupjob.error.StartBackupJobException;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * What the contract allows as the outcome of one generated input: accepted, or rejected under one of its error
 * names, with the field paths that a rejection's message must name.
 *
 * @param allowed the outcomes the contract allows
 * @param namedPaths paths that every rejection's message must name (their problem is certain)
 * @param touchedPaths paths the input changed; a rejection's message must name at least one of them
 * @param mayBeUnparseable whether the parser may give up first (nesting or number limits), with a "not JSON" message
 * @param messagePattern a regular expression the message must contain when the input fails before any field is read
 * @param carriesSecret whether the input holds tag values, which a message must never repeat
 */
record Expectation(Set<Verdict> allowed, Set<String> namedPaths, Set<String> touchedPaths, boolean mayBeUnparseable,
        String messagePattern, boolean carriesSecret) {

    /** The outcomes, in the contract's order of precedence when one error reports several problems. */
    enum Verdict {
        INVALID_REQUEST(InvalidRequestException.class),
        MISSING_VALUE(MissingParameterValueException.class),
        INVALID_VALUE(InvalidParameterValueException.class),
        ACCEPTED(null);

        private final Class<? extends StartBackupJobException> errorName;

        Verdict(Class<? extends StartBackupJobException> errorName) {
            this.errorName = errorName;
        }

        /** The rejection whose error name is exactly this class, if it is one of the contract's three. */
        static Optional<Verdict> of(Class<?> errorClass) {
            return Arrays.stream(values()).filter(verdict -> verdict.errorName == errorClass).findFirst();
        }
    }

    Expectation {
        allowed = Set.copyOf(allowed);
        namedPaths = Set.copyOf(namedPaths);
        touchedPaths = Set.copyOf(touchedPaths);
    }

    static Expectation accepted() {
        return new Expectation(Set.of(Verdict.ACCEPTED), Set.of(), Set.of(), false, null, false);
    }

    static Expectation accepted(String path) {
        return new Expectation(Set.of(Verdict.ACCEPTED), Set.of(), Set.of(path), false, null, false);
    }

    static Expectation rejected(Verdict verdict, String path) {
        return rejectedAsAnyOf(path, verdict);
    }

    /** A certain problem at this path, whose kind the contract leaves open between the given names. */
    static Expectation rejectedAsAnyOf(String path, Verdict... verdicts) {
        return new Expectation(Set.of(verdicts), Set.of(path), Set.of(path), false, null, false);
    }

    /** A change the contract neither clearly allows nor clearly forbids. */
    static Expectation either(String path, Verdict... rejections) {
        Set<Verdict> allowed = EnumSet.of(Verdict.ACCEPTED, rejections);
        return new Expectation(allowed, Set.of(), Set.of(path), false, null, false);
    }

    /** An InvalidRequestException raised before any field is read, its message matching the pattern. */
    static Expectation failsEarly(String messagePattern) {
        return new Expectation(Set.of(Verdict.INVALID_REQUEST), Set.of(), Set.of(), false, messagePattern, false);
    }

    /** Adds rejections the contract leaves room for, such as for strings with unpaired surrogates. */
    Expectation orRejected(Verdict... more) {
        Set<Verdict> wider = EnumSet.copyOf(allowed);
        wider.addAll(Arrays.asList(more));
        return new Expectation(wider, namedPaths, touchedPaths, mayBeUnparseable, messagePattern, carriesSecret);
    }

    Expectation parserMayGiveUp() {
        String pattern = messagePattern == null ? null : "(?:" + messagePattern + ")|not valid JSON";
        return new Expectation(allowed, namedPaths, touchedPaths, true, pattern, carriesSecret);
    }

    Expectation withSecret(boolean secret) {
        return new Expectation(allowed, namedPaths, touchedPaths, mayBeUnparseable, messagePattern,
                carriesSecret || secret);
    }

    /** Both changes at once, on different fields: the error is named after the most basic problem among them. */
    Expectation and(Expectation other) {
        boolean secret = carriesSecret || other.carriesSecret;
        if (messagePattern != null) {
            return withSecret(secret);
        }
        if (other.messagePattern != null) {
            return other.withSecret(secret);
        }
        Set<Verdict> combined = EnumSet.noneOf(Verdict.class);
        for (Verdict mine : allowed) {
            for (Verdict theirs : other.allowed) {
                combined.add(mine.compareTo(theirs) <= 0 ? mine : theirs);
            }
        }
        return new Expectation(combined, union(namedPaths, other.namedPaths), union(touchedPaths, other.touchedPaths),
                mayBeUnparseable || other.mayBeUnparseable, null, secret);
    }

    boolean mustReject() {
        return !allowed.contains(Verdict.ACCEPTED);
    }

    boolean mustAccept() {
        return allowed.equals(Set.of(Verdict.ACCEPTED));
    }

    private static Set<String> union(Collection<String> first, Collection<String> second) {
        Set<String> union = new LinkedHashSet<>(first);
        union.addAll(second);
        return union;
    }
}
