package io.sluice.server.ops;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The broker's version, as the build stamped it into sluice-version.properties. */
public final class BrokerVersion {
    private BrokerVersion() {
    }

    public static String current() {
        try (InputStream in = BrokerVersion.class.getResourceAsStream("/sluice-version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
