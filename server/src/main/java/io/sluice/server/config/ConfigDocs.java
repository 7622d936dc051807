package io.sluice.server.config;

/** Renders docs/configuration.md from the setting declarations, so the doc cannot drift from the code. */
public final class ConfigDocs {
    private ConfigDocs() {
    }

    public static String render() {
        StringBuilder doc = new StringBuilder()
                .append("# Configuration\n\n")
                .append("Generated from the declarations in `BrokerConfig`, `TopicConfig` and `QueueConfig`; `ConfigDocsTest` fails when\n")
                .append("this file is out of date (regenerate with `./mvnw -pl server test -Dtest=ConfigDocsTest -Dsluice.docs.write=true`).\n\n")
                .append("## Broker settings\n\n")
                .append("Precedence: command-line flag (`--data-dir`) > environment variable (`SLUICE_DATA_DIR`) > properties\n")
                .append("file given with `--config FILE` or `SLUICE_CONFIG` (key `data.dir`) > default. An unknown flag,\n")
                .append("`SLUICE_` variable or file key stops the broker at start-up with an error naming the closest setting;\n")
                .append("the broker logs its effective configuration, and where each value came from, once at start-up.\n\n")
                .append(BrokerConfig.DEF.toMarkdown())
                .append("\n## Topic settings\n\n")
                .append("Set at creation (`sluice topics create NAME --config k=v`) or later (`sluice topics alter`).\n\n")
                .append(TopicConfig.DEF.toMarkdown())
                .append("\n## Queue settings\n\n")
                .append("Given by the first worker's Subscribe (`QueueSubscription.config`), which creates the queue, or later\n")
                .append("with `QueueAdminService.AlterQueue`.\n\n")
                .append(QueueConfig.DEF.toMarkdown());
        return doc.toString();
    }
}
