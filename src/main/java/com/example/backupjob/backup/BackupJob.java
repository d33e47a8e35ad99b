package com.example.backupjob.backup;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The started backup job, as the function returns it; CreationDate is ISO-8601 UTC with milliseconds. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BackupJob(
        @JsonProperty("BackupJobId") String backupJobId,
        @JsonProperty("RecoveryPointArn") String recoveryPointArn,
        @JsonProperty("CreationDate") String creationDate,
        @JsonProperty("IsParent") boolean isParent) {

    private static final DateTimeFormatter ISO_MILLIS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    static String formatCreationDate(Instant creationDate) {
        return ISO_MILLIS.format(creationDate);
    }
}
