package com.example.backupjob.config;

/** A missing or malformed environment variable; raised at start-up, with the variable's name in the message. */
public final class ConfigurationException extends RuntimeException {

    public ConfigurationException(String variable, String problem) {
        super(variable + " " + problem);
    }
}
