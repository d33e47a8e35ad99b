package com.example.backupjob.error;

/**
 * A service refused a call for want of a permission: of the function's role, or of the backup role it passes to AWS
 * Backup.
 */
public final class AccessDeniedException extends StartBackupJobException {

    public AccessDeniedException(ErrorSource source, String message, Throwable cause) {
        super(source, message, false, cause);
    }
}
