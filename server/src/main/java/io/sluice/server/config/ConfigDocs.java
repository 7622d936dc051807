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
                .append("file given with `--config FILE` (key `data.dir`) > default.\n\n")
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
