package com.example.backupjob.tooling.benchmark;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.example.backupjob.config.Configuration;
import com.example.backupjob.handler.StartBackupJobHandler;
import com.example.backupjob.snapstart.SnapStartPriming;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The function as SnapStart restores it, as far as this machine can show: its init, then the priming Lambda runs
 * before it takes the snapshot. No JDK here can checkpoint (and org.crac lets no one else trigger the hooks), so the
 * priming runs in the same JVM, which then serves the first invocation as a restored one would, minus the restore.
 */
public final class PrimedHandler implements RequestStreamHandler {

    private final StartBackupJobHandler handler = new StartBackupJobHandler();

    public PrimedHandler() throws Exception {
        new SnapStartPriming(new ObjectMapper(), Configuration.fromEnvironment(System.getenv(), new ObjectMapper())
                .requestDefaults()).beforeCheckpoint(null);
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        handler.handleRequest(input, output, context);
    }
}
