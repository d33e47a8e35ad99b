package com.example.backupjob.copy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/** Derives the IdempotencyToken of a copy, the token AWS Backup de-duplicates StartCopyJob calls on. */
public final class CopyTokens {

    private CopyTokens() {
    }

    /**
     * The same for the same recovery point and destination, whatever the event that asked for it: a redelivered or
     * repeated event, or a retry after another destination failed, starts no second copy. Formatted as a UUID from
     * SHA-256, as the StartBackupJob token is.
     */
    public static String copyToken(String recoveryPointArn, String destinationVaultArn) {
        try {
            ByteBuffer digest = ByteBuffer.wrap(MessageDigest.getInstance("SHA-256")
                    .digest(("copy\n" + recoveryPointArn + "\n" + destinationVaultArn).getBytes(StandardCharsets.UTF_8)));
            return new UUID(digest.getLong(), digest.getLong()).toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every JVM has SHA-256", e);
        }
    }
}
