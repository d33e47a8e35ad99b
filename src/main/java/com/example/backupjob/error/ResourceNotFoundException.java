package com.example.backupjob.error;

/** AWS Backup could not find the vault or the resource. */
public final class ResourceNotFoundException extends StartBackupJobException {

    public ResourceNotFoundException(String message) {
        this(message, null);
    }

    public ResourceNotFoundException(String message, Throwable cause) {
        super(message, false, cause);
    }
}
