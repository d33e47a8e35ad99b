package com.example.backupjob.idempotency;

import com.example.backupjob.request.BackupRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/** Derives the token AWS Backup de-duplicates on from a request's idempotency key. */
public final class IdempotencyKeys {

    private IdempotencyKeys() {
    }

    /**
     * The IdempotencyToken sent to AWS Backup. It covers the vault and the resource because AWS Backup
     * de-duplicates a token across resources: one caller token for two resources must start two jobs.
     */
    public static String backupToken(String key, BackupRequest request) {
        String scope = String.join("\n", key, request.backupVaultName(), request.resourceArn());
        ByteBuffer digest = ByteBuffer.wrap(sha256(scope.getBytes(StandardCharsets.UTF_8)));
        return new UUID(digest.getLong(), digest.getLong()).toString();
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every JVM has SHA-256", e);
        }
    }
}
