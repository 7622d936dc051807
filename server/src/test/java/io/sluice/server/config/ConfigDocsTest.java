package io.sluice.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConfigDocsTest {
    private static final Path DOC = Path.of("..", "docs", "configuration.md");

    @Test
    void configurationDocMatchesTheDeclarations() throws Exception {
        String expected = ConfigDocs.render();
        if (Boolean.getBoolean("sluice.docs.write")) {
            Files.writeString(DOC, expected);
        }
        assertThat(DOC).exists();
        assertThat(Files.readString(DOC))
                .as("docs/configuration.md is out of date: regenerate it with "
                        + "./mvnw -pl server test -Dtest=ConfigDocsTest -Dsluice.docs.write=true")
                .isEqualTo(expected);
    }
}
