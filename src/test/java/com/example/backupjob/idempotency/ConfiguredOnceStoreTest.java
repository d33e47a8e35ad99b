package com.example.backupjob.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import software.amazon.lambda.powertools.idempotency.IdempotencyConfig;
import software.amazon.lambda.powertools.idempotency.persistence.DataRecord;
import software.amazon.lambda.powertools.idempotency.persistence.BasePersistenceStore;

/**
 * Powertools calls configure before every idempotent call, from every SQS worker thread; the race it had there is
 * too narrow to show reliably through DynamoDB (IdempotencyTest shows it end to end), so this drives it directly.
 */
class ConfiguredOnceStoreTest {

    @Test
    void keysKeepOnePrefixWhileThreadsConfigureAndWriteAtOnce() throws Exception {
        // given a store whose record writes are only remembered
        Queue<String> writtenKeys = new ConcurrentLinkedQueue<>();
        ConfiguredOnceStore store = new ConfiguredOnceStore(new KeyRecorder(writtenKeys), null, "not-used");
        IdempotencyConfig config = IdempotencyConfig.builder().build();

        // when four threads each configure it and write a record, as Powertools does per call, 5,000 times
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> writers = IntStream.range(0, 4).<Future<?>>mapToObj(thread -> threads.submit(() -> {
                for (int call = 0; call < 5_000; call++) {
                    store.configure(config, "startOnce");
                    store.saveInProgress(TextNode.valueOf(thread + "-" + call), Instant.now(), OptionalInt.empty());
                }
                return null;
            })).toList();
            for (Future<?> writer : writers) {
                writer.get(30, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }

        // then every key has the prefix the first call set
        assertThat(writtenKeys).hasSize(20_000)
                .allMatch(key -> key.startsWith("start-backup-job.startOnce#"), "keyed start-backup-job.startOnce#<hash>");
    }

    private static final class KeyRecorder extends BasePersistenceStore {

        private final Queue<String> keys;

        KeyRecorder(Queue<String> keys) {
            this.keys = keys;
        }

        @Override
        public DataRecord getRecord(String idempotencyKey) {
            throw new UnsupportedOperationException("not read in this test");
        }

        @Override
        public void putRecord(DataRecord record, Instant now) {
            keys.add(record.getIdempotencyKey());
        }

        @Override
        public void updateRecord(DataRecord record) {
            keys.add(record.getIdempotencyKey());
        }

        @Override
        public void deleteRecord(String idempotencyKey) {
            keys.add(idempotencyKey);
        }
    }
}
