package com.example.backupjob.selection;

import com.example.backupjob.idempotency.IdempotencyKeys;
import com.example.backupjob.request.BackupRequest;
import com.example.backupjob.service.IncomingRequest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Backs up a selection: validates it, finds the resources its tags match, and queues one plain request per
 * resource AWS Backup supports, for the StartBackupJob function to start.
 */
public final class SelectionService {

    private static final Logger LOG = LoggerFactory.getLogger(SelectionService.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SelectionReader selections;
    private final TaggedResources resources;
    private final RequestQueue queue;

    public SelectionService(SelectionReader selections, TaggedResources resources, RequestQueue queue) {
        this.selections = selections;
        this.resources = resources;
        this.queue = queue;
    }

    public SelectionResult select(IncomingRequest incoming) {
        SelectionRequest request = selections.read(incoming.request());
        // A selection fired again from a fixed Input is a new run: its key is never the selection's content.
        String key = incoming.idempotencyKey(request.template().idempotencyToken());
        Set<String> notResources = new HashSet<>(request.selection().notResources());
        Map<String, Integer> unsupported = new TreeMap<>();
        int matched = 0;
        int queued = 0;
        int leftOut = 0;
        String paginationToken = null;
        do {
            // Each page is queued as it arrives: memory stays one page, and what was queued stays queued.
            TaggedResources.Page page = resources.page(request.selection(), paginationToken);
            List<String> bodies = new ArrayList<>();
            for (String arn : page.arns()) {
                if (notResources.contains(arn)) {
                    leftOut++;
                } else if (!SupportedResourceTypes.supports(arn)) {
                    unsupported.merge(SupportedResourceTypes.typeOf(arn), 1, Integer::sum);
                } else {
                    bodies.add(body(request.template(), arn, key));
                }
            }
            queue.send(bodies);
            matched += page.arns().size();
            queued += bodies.size();
            paginationToken = page.nextToken();
        } while (paginationToken != null);
        SelectionResult result = new SelectionResult(key, matched, queued, new SelectionResult.Skipped(
                unsupported.values().stream().mapToInt(Integer::intValue).sum(), leftOut));
        // Counts and types only: the selection's tag values never reach the log.
        LOG.atInfo()
                .addKeyValue("selectionKey", key)
                .addKeyValue("matched", result.matched())
                .addKeyValue("queued", result.queued())
                .addKeyValue("skippedNotResources", leftOut)
                .addKeyValue("skippedUnsupportedTypes", unsupported)
                .log("Backup requests queued for the selection");
        return result;
    }

    /**
     * The plain request of one resource. Its token covers the selection's key and the ARN, so a rerun of the
     * selection queues the same body, which the StartBackupJob function and AWS Backup answer with the first job.
     */
    private static String body(BackupRequest template, String arn, String key) {
        String token = IdempotencyKeys.backupToken(key, forResource(template, arn, null));
        try {
            return JSON.writeValueAsString(forResource(template, arn, token));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A validated request always serialises", e);
        }
    }

    private static BackupRequest forResource(BackupRequest template, String arn, String idempotencyToken) {
        return new BackupRequest(template.backupVaultName(), template.logicallyAirGappedBackupVaultArn(), arn,
                template.iamRoleArn(), idempotencyToken, template.startWindowMinutes(),
                template.completeWindowMinutes(), template.lifecycle(), template.recoveryPointTags(),
                template.backupOptions(), template.index());
    }
}
