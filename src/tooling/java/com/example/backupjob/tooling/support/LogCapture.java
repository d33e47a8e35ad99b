package com.example.backupjob.tooling.support;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Layout;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.Property;

/** Collects the JSON log lines exactly as the layout of the function's log4j2.properties writes them. */
public final class LogCapture extends AbstractAppender {

    private final List<String> lines = new CopyOnWriteArrayList<>();

    private LogCapture(Layout<?> layout) {
        super("LogCapture", null, layout, true, Property.EMPTY_ARRAY);
    }

    /** Attaches to every configured logger of log4j2.properties, with the layout of its JsonAppender; call it once. */
    public static LogCapture attach() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration configuration = context.getConfiguration();
        LogCapture capture = new LogCapture(configuration.getAppender("JsonAppender").getLayout());
        capture.start();
        configuration.getLoggers().values().forEach(logger -> logger.addAppender(capture, null, null));
        configuration.getRootLogger().addAppender(capture, null, null);
        context.updateLoggers();
        return capture;
    }

    @Override
    public void append(LogEvent event) {
        lines.add(getLayout().toSerializable(event).toString().strip());
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    public void clear() {
        lines.clear();
    }
}
