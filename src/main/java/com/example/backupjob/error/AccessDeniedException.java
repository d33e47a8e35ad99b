package com.example.backupjob.error;

/** The function's role, or the backup role it passes, lacks a permission AWS Backup needs. */
public final class AccessDeniedException extends StartBackupJobException {

    public AccessDeniedException(String message) {
        this(message, null);
    }

    public AccessDeniedException(String message, Throwable cause) {
        super(message, false, cause);
    }
}
