package org.omnispark.data.synth;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;

/**
 * The built-in English word lists of {@link SentenceGrammar}: common lower-case words that espeak-ng reads as
 * written (no abbreviations, no digits). Nouns have regular plurals; verbs are stored as base and past forms.
 */
final class Vocabulary {
    static final List<String> NOUNS = words("""
        apple baby ball bank basket bed bell bird boat book bottle box bread bridge brother bucket bus cake
        camera candle car card cat chair cheese clock coat computer cookie cow cup desk dinner doctor dog door
        dragon dream egg engine farmer father field flower friend garden gate gift girl glass hammer hat horse
        house island jacket key king kitchen kite ladder lamp letter lion machine map market monkey mother
        mountain needle nurse ocean orange painter pencil piano picture pilot plate pocket queen rabbit radio
        river road robot rock sailor school shirt shoe singer sister soldier song spoon star station stone
        storm student table teacher ticket tiger tower train tree truck tunnel umbrella village wagon wall
        window winter wizard writer""");
    static final List<String> ADJECTIVES = words("""
        angry big bitter black blue bold brave bright broken busy calm cheap clean clever cold cozy curious
        dark deep dirty dry early empty famous fancy fast friendly funny gentle golden green happy heavy
        honest huge hungry little lazy long loud lucky modern narrow new noisy old orange polite poor pretty
        proud purple quiet rich round sad shiny short silent silver simple slow small soft strange strong
        sweet tall tiny warm wet white wild wise wooden yellow young""");
    /** Transitive verbs as "base:past". */
    static final List<String> VERBS = words("""
        answer:answered borrow:borrowed build:built buy:bought carry:carried catch:caught clean:cleaned
        close:closed cook:cooked cover:covered draw:drew drop:dropped enjoy:enjoyed find:found fix:fixed
        follow:followed hide:hid hold:held keep:kept kick:kicked lift:lifted like:liked move:moved open:opened
        paint:painted pick:picked pull:pulled push:pushed reach:reached remember:remembered sell:sold
        send:sent share:shared take:took touch:touched visit:visited want:wanted wash:washed watch:watched
        bring:brought throw:threw check:checked count:counted deliver:delivered""");
    /** Intransitive verbs as "base:past". */
    static final List<String> INTRANSITIVE_VERBS = words("""
        arrive:arrived dance:danced fall:fell jump:jumped laugh:laughed listen:listened play:played rest:rested
        run:ran shout:shouted sing:sang sit:sat sleep:slept smile:smiled stop:stopped swim:swam talk:talked
        travel:traveled wait:waited walk:walked whisper:whispered work:worked cry:cried climb:climbed
        """);
    static final List<String> ADVERBS = words("""
        quickly slowly quietly loudly happily sadly carefully suddenly gently bravely calmly eagerly
        early late often rarely always never softly proudly politely patiently nervously""");
    static final List<String> PLACES = words("""
        park city forest desert harbor library museum garden kitchen hallway office station market valley
        village castle airport theater hospital bakery church factory farm lake beach playground tunnel
        cave meadow""");
    static final List<String> NAMES = words("""
        anna peter maria john linda david sarah michael emma james olivia robert sophia thomas lucy daniel
        grace henry alice samuel clara oscar nina victor helen martin rosa simon laura felix""");
    static final List<String> TIMES = words("""
        today yesterday tomorrow tonight""");
    static final List<String> TIME_PHRASES = List.of(
        "this morning", "last night", "next week", "after lunch", "before dinner", "every day",
        "on monday", "on friday", "in the evening", "at noon", "last summer", "next year");
    static final List<String> PRONOUNS = words("i you he she we they");

    private Vocabulary() {
    }

    /** Every distinct word any template can produce, numbers included (for tests and for label corruption). */
    static List<String> allWords() {
        TreeSet<String> all = new TreeSet<>();
        for (List<String> list : List.of(NOUNS, ADJECTIVES, ADVERBS, PLACES, NAMES, TIMES, PRONOUNS)) {
            all.addAll(list);
        }
        for (String n : NOUNS) {
            all.add(plural(n));
        }
        for (List<String> verbs : List.of(VERBS, INTRANSITIVE_VERBS)) {
            for (String v : verbs) {
                all.addAll(Arrays.asList(v.split(":")));
            }
        }
        for (String phrase : TIME_PHRASES) {
            all.addAll(Arrays.asList(phrase.split(" ")));
        }
        all.addAll(NumberWords.ALL_NUMBER_WORDS);
        all.addAll(SentenceGrammar.FUNCTION_WORDS);
        return Collections.unmodifiableList(new ArrayList<>(all));
    }

    /** Regular English plural: box -> boxes, baby -> babies, cat -> cats. */
    static String plural(String noun) {
        if (noun.endsWith("s") || noun.endsWith("x") || noun.endsWith("ch") || noun.endsWith("sh")) {
            return noun + "es";
        }
        if (noun.endsWith("y") && noun.length() > 1 && "aeiou".indexOf(noun.charAt(noun.length() - 2)) < 0) {
            return noun.substring(0, noun.length() - 1) + "ies";
        }
        return noun + "s";
    }

    static String base(String verb) {
        return verb.substring(0, verb.indexOf(':'));
    }

    static String past(String verb) {
        return verb.substring(verb.indexOf(':') + 1);
    }

    private static List<String> words(String block) {
        return List.of(block.trim().split("\\s+"));
    }
}
