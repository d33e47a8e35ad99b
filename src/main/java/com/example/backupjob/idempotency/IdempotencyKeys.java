package com.example.backupjob.idempotency;

import com.example.backupjob.request.BackupRequest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;

/** Derives the idempotency key of a delivery and the token AWS Backup de-duplicates on. */
public final class IdempotencyKeys {

    private static final ObjectMapper CANONICAL_JSON = JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    private IdempotencyKeys() {
    }

    /**
     * The key of one request, in the contract's order: the EventBridge event's id, the caller's IdempotencyToken,
     * the SQS message id, else a hash of the complete request after defaults.
     */
    public static String keyFor(BackupRequest request, String eventId, String messageId) {
        if (eventId != null) {
            return eventId;
        }
        return request.callerToken()
                .or(() -> Optional.ofNullable(messageId))
                .orElseGet(() -> hashOf(request));
    }

    /** The key of a request that carries none: a hash of its canonical JSON (properties and map entries sorted). */
    public static String hashOf(Object request) {
        return "sha256:" + HexFormat.of().formatHex(sha256(canonicalJson(request)));
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

    private static byte[] canonicalJson(Object request) {
        try {
            return CANONICAL_JSON.writeValueAsBytes(request);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A validated request always serialises", e);
        }
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every JVM has SHA-256", e);
        }
    }
}
