package io.sluice.examples.adclicks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/** Generated ad clicks: one ad, the hot one, gets {@code hotShare} of them; the others share the rest evenly. */
final class Clicks {
    static final String HOT_AD = "ad-07";

    private Clicks() {
    }

    /** One click: which ad, by which user. */
    record Click(String ad, int user) {
        /** As sent: the ad first, as the aggregator reads it. */
        String value() {
            return ad + ",user-" + user;
        }

        static String adOf(String value) {
            return value.substring(0, value.indexOf(','));
        }
    }

    /** The same clicks for the same arguments (a fixed seed), so both runs aggregate the same traffic. */
    static List<Click> generate(int count, int ads, double hotShare, int users) {
        Random random = new Random(42);
        List<Click> clicks = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String ad;
            if (random.nextDouble() < hotShare) {
                ad = HOT_AD;
            } else {
                do {
                    ad = String.format("ad-%02d", random.nextInt(ads));
                } while (ad.equals(HOT_AD));
            }
            clicks.add(new Click(ad, random.nextInt(users)));
        }
        return clicks;
    }

    /** Clicks per ad, counted directly: what both runs' aggregates must equal. */
    static Map<String, Long> countByAd(List<Click> clicks) {
        Map<String, Long> counts = new TreeMap<>();
        clicks.forEach(click -> counts.merge(click.ad(), 1L, Long::sum));
        return counts;
    }
}
