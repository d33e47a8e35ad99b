package com.example.backupjob.error;

/** AWS Backup could not find the vault or the resource. */
public final class ResourceNotFoundException extends StartBackupJobException {

    public ResourceNotFoundException(ErrorSource source, String message, Throwable cause) {
        super(source, message, false, cause);
    }
}
