package com.example.backupjob.idempotency;

import software.amazon.lambda.powertools.idempotency.IdempotencyConfig;
import software.amazon.lambda.powertools.idempotency.exceptions.IdempotencyItemAlreadyExistsException;
import software.amazon.lambda.powertools.idempotency.exceptions.IdempotencyItemNotFoundException;
import software.amazon.lambda.powertools.idempotency.persistence.BasePersistenceStore;
import software.amazon.lambda.powertools.idempotency.persistence.DataRecord;
import software.amazon.lambda.powertools.idempotency.persistence.PersistenceStore;
import java.time.Instant;

/**
 * A Powertools store that is configured once. Powertools v1 reconfigures its store on every call and rebuilds the
 * key prefix in two unsynchronised steps, so SQS records processed in parallel could be stored under a prefix like
 * {@code fn} or {@code fn.startOnce.startOnce}, and a redelivery would not find them.
 */
final class ConfiguredOnceStore extends BasePersistenceStore {

    private final PersistenceStore records;
    private boolean configured;

    ConfiguredOnceStore(PersistenceStore records) {
        this.records = records;
    }

    @Override
    public synchronized void configure(IdempotencyConfig config, String methodName) {
        if (!configured) {
            super.configure(config, methodName);
            configured = true;
        }
    }

    @Override
    public DataRecord getRecord(String idempotencyKey) throws IdempotencyItemNotFoundException {
        return records.getRecord(idempotencyKey);
    }

    @Override
    public void putRecord(DataRecord record, Instant now) throws IdempotencyItemAlreadyExistsException {
        records.putRecord(record, now);
    }

    @Override
    public void updateRecord(DataRecord record) {
        records.updateRecord(record);
    }

    @Override
    public void deleteRecord(String idempotencyKey) {
        records.deleteRecord(idempotencyKey);
    }
}
