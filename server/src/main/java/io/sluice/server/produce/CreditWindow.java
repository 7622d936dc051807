package io.sluice.server.produce;

/** How much a credit-aware produce stream may have granted and not yet acknowledged. */
public record CreditWindow(long records, long bytes) {
    public CreditWindow {
        if (records < 0 || bytes < 0) {
            throw new IllegalArgumentException("a credit window is never negative: " + records + " records, " + bytes + " bytes");
        }
    }

    /** This window scaled down by {@code factor} (0..1), rounding down. */
    CreditWindow scaled(double factor) {
        return new CreditWindow((long) (records * factor), (long) (bytes * factor));
    }

    CreditWindow min(CreditWindow other) {
        return new CreditWindow(Math.min(records, other.records), Math.min(bytes, other.bytes));
    }
}
