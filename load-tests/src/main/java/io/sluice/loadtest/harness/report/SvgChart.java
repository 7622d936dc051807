package io.sluice.loadtest.harness.report;

import java.util.List;
import java.util.Locale;

/**
 * A line chart rendered as inline SVG: no JavaScript, no CDN, so the report opens offline and in any
 * browser. NaN values break a line (an interval with no data).
 */
final class SvgChart {
    /** One line: its name in the legend, its colour, and one y per x. */
    record Series(String name, String color, double[] values) {
    }

    private static final int WIDTH = 900;
    private static final int HEIGHT = 300;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 30;
    private static final int BOTTOM = 40;

    private SvgChart() {
    }

    static String render(String title, String xLabel, String yLabel, double[] x, List<Series> series) {
        double xMax = niceCeil(x.length == 0 ? 1 : Math.max(1e-9, x[x.length - 1]));
        double yMax = 0;
        for (Series s : series) {
            for (double v : s.values()) {
                if (!Double.isNaN(v)) {
                    yMax = Math.max(yMax, v);
                }
            }
        }
        yMax = niceCeil(yMax == 0 ? 1 : yMax);
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT,
                "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\">%n",
                WIDTH, HEIGHT, WIDTH, HEIGHT));
        svg.append("<title>").append(Html.escape(title)).append("</title>\n");
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" class=\"title\">%s</text>%n", LEFT, Html.escape(title)));
        for (int i = 0; i <= 5; i++) { // horizontal grid and y ticks
            double v = yMax * i / 5;
            double y = TOP + plotH - plotH * i / 5.0;
            svg.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"grid\"/><text x=\"%d\" y=\"%.1f\" class=\"tick\" text-anchor=\"end\">%s</text>%n",
                    LEFT, y, LEFT + plotW, y, LEFT - 6, y + 4, tick(v)));
        }
        for (int i = 0; i <= 6; i++) { // x ticks
            double v = xMax * i / 6;
            double px = LEFT + plotW * i / 6.0;
            svg.append(String.format(Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"axis\"/><text x=\"%.1f\" y=\"%d\" class=\"tick\" text-anchor=\"middle\">%s</text>%n",
                    px, TOP + plotH, px, TOP + plotH + 4, px, TOP + plotH + 18, tick(v)));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"label\" text-anchor=\"middle\">%s</text>%n",
                LEFT + plotW / 2, HEIGHT - 6, Html.escape(xLabel)));
        svg.append(String.format(Locale.ROOT,
                "<text x=\"14\" y=\"%d\" class=\"label\" text-anchor=\"middle\" transform=\"rotate(-90 14 %d)\">%s</text>%n",
                TOP + plotH / 2, TOP + plotH / 2, Html.escape(yLabel)));
        int legendX = LEFT + plotW;
        for (int s = series.size() - 1; s >= 0; s--) {
            Series line = series.get(s);
            legendX -= 14 + 7 * line.name().length() + 16;
            svg.append(String.format(Locale.ROOT,
                    "<rect x=\"%d\" y=\"8\" width=\"12\" height=\"12\" fill=\"%s\"/><text x=\"%d\" y=\"18\" class=\"legend\">%s</text>%n",
                    legendX, line.color(), legendX + 16, Html.escape(line.name())));
            svg.append(String.format("<path class=\"series\" data-name=\"%s\" stroke=\"%s\" d=\"", Html.escape(line.name()), line.color()));
            boolean penDown = false;
            for (int i = 0; i < x.length && i < line.values().length; i++) {
                double v = line.values()[i];
                if (Double.isNaN(v)) {
                    penDown = false;
                    continue;
                }
                double px = LEFT + plotW * x[i] / xMax;
                double py = TOP + plotH - plotH * Math.min(v, yMax) / yMax;
                svg.append(String.format(Locale.ROOT, "%s%.1f %.1f ", penDown ? "L" : "M", px, py));
                penDown = true;
            }
            svg.append("\"/>\n");
        }
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" class=\"frame\"/>%n",
                LEFT, TOP, plotW, plotH));
        return svg.append("</svg>\n").toString();
    }

    /** The smallest 1, 2, 2.5 or 5 x 10^k at or above the value: round axis maxima. */
    static double niceCeil(double value) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(value)));
        for (double step : new double[] {1, 2, 2.5, 5, 10}) {
            if (step * magnitude >= value * (1 - 1e-9)) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String tick(double v) {
        if (v >= 1e6) {
            return String.format(Locale.ROOT, "%.1fM", v / 1e6);
        }
        if (v >= 1e4) {
            return String.format(Locale.ROOT, "%.0fk", v / 1e3);
        }
        if (v == Math.rint(v)) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return String.format(Locale.ROOT, v >= 10 ? "%.1f" : "%.2f", v);
    }
}
