package com.example.backupjob.tooling.benchmark;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Benchmark baseline: the cheapest Java function, which answers a constant; it measures the runtime alone. */
public final class TrivialHandler implements RequestStreamHandler {

    private static final byte[] RESPONSE = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        input.readAllBytes();
        output.write(RESPONSE);
    }
}
