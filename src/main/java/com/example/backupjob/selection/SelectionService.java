package com.example.backupjob.selection;

import com.example.backupjob.backup.RegionSettings;
import com.example.backupjob.config.AwsClients;
import com.example.backupjob.deadline.InvocationDeadline;
import com.example.backupjob.error.InvalidRequestException;
import com.example.backupjob.error.StartBackupJobException;
import com.example.backupjob.idempotency.IdempotencyKeys;
import com.example.backupjob.request.BackupRequest;
import com.example.backupjob.selection.RunRecord.Counts;
import com.example.backupjob.selection.RunRecord.Position;
import com.example.backupjob.service.IncomingRequest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * Backs up a selection as a run: validates it, records the run with the Region's opt-in settings, then pages
 * through the resources its tags match, queuing one plain request per resource AWS Backup supports and the Region
 * has not opted out of as each page arrives, saving the run's position after each batch, and hands the run on to
 * another invocation when this one's time runs short.
 */
public final class SelectionService {

    /**
     * What an invocation keeps when it stops taking pages and hands the run on: the longest one call may take (a
     * page that is slow to come), and 5 s to queue the page, save the position and send the continuation.
     */
    public static final Duration HAND_ON_MARGIN = AwsClients.CALL_TIMEOUT.plusSeconds(5);

    private static final Logger LOG = LoggerFactory.getLogger(SelectionService.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SelectionReader selections;
    private final TaggedResources resources;
    private final RegionSettings regionSettings;
    private final RequestQueue queue;
    private final SelectionRuns runs;
    private final RunContinuations continuations;
    private final InvocationDeadline deadline;
    private final Duration requestMaxAge;
    private final Clock clock;

    public SelectionService(SelectionReader selections, TaggedResources resources, RegionSettings regionSettings,
            RequestQueue queue, SelectionRuns runs, RunContinuations continuations, InvocationDeadline deadline,
            Duration requestMaxAge, Clock clock) {
        this.selections = selections;
        this.resources = resources;
        this.regionSettings = regionSettings;
        this.queue = queue;
        this.runs = runs;
        this.continuations = continuations;
        this.deadline = deadline;
        this.requestMaxAge = requestMaxAge;
        this.clock = clock;
    }

    /**
     * Starts or resumes the run of a selection request, or carries on the run a continuation names.
     *
     * @throws StartBackupJobException a rejection before any AWS call, or a failure of a service or of the run's
     *     record, after which the trigger's retry resumes from the last saved position
     */
    public SelectionResult handle(IncomingRequest incoming) {
        JsonNode request = incoming.request();
        if (request.isObject() && request.has(RunContinuations.CONTINUE_RUN)) {
            String key = continuedRun(request);
            RunRecord run = runs.find(key).orElseThrow(() -> new InvalidRequestException(
                    RunContinuations.CONTINUE_RUN + ": no run has this SelectionKey (its record expires "
                    + SelectionRuns.KEPT_AFTER_DEADLINE.toDays() + " days after its deadline)"));
            return proceed(run, incoming.invocationId());
        }
        return select(incoming);
    }

    private SelectionResult select(IncomingRequest incoming) {
        SelectionRequest request = selections.read(incoming.request());
        // A selection fired again from a fixed Input is a new run: its key is never the selection's content.
        String key = incoming.idempotencyKey(request.template().idempotencyToken());
        RunRecord run = runs.find(key).orElse(null);
        if (run == null) {
            // Read once per run and kept in its record; unreadable, the run does not start, and its trigger retries.
            Set<String> optedOut = regionSettings.optedOutTypes();
            run = runs.create(key, request, optedOut, clock.instant().plus(requestMaxAge));
        } else if (!run.request().selection().equals(request.selection())) {
            throw new InvalidRequestException("IdempotencyToken: was already used for a different selection: a run's "
                    + "key is bound to its selection");
        }
        if (run.selecting() && run.saves() == 0) {
            // Also on a retry of the invocation that created the run, in case it stopped before listing it.
            runs.markOpen(key);
        }
        return proceed(run, incoming.invocationId());
    }

    /** Queues the run's pages from its saved position until every page is queued or the time runs short. */
    private SelectionResult proceed(RunRecord run, String invocationId) {
        if (!run.selecting()) {
            // Every page was queued already: a second firing with the same key is the same run, queued once.
            return result(run.key(), run.counts(), true);
        }
        Walk walk = new Walk(run, invocationId + "#" + UUID.randomUUID().toString().substring(0, 8));
        if (clock.instant().isAfter(run.deadline())) {
            LOG.atWarn().addKeyValue("selectionKey", run.key()).addKeyValue("runDeadline", run.deadline().toString())
                    .log("The run's deadline passed before its selection finished: its remaining pages are not "
                            + "queued, as their requests would start no job");
            return walk.end(false);
        }
        while (true) {
            if (deadline.timeLeft().compareTo(HAND_ON_MARGIN) < 0) {
                continuations.handOn(run.key());
                return walk.end(false);
            }
            Optional<TaggedResources.Page> page = resources.page(run.request().selection(), walk.position.token());
            if (page.isEmpty()) {
                LOG.atWarn().addKeyValue("selectionKey", run.key()).addKeyValue("resumeAt", walk.position.listed())
                        .log("The run's saved PaginationToken expired: walking the listing again from the first "
                                + "page, passing over the resources the run handled");
                walk.position = walk.position.walkAgain();
                continue;
            }
            if (!walk.queue(page.get())) {
                return walk.end(false);
            }
            if (walk.position == null) {
                return walk.end(true);
            }
        }
    }

    /** One invocation's walk through a run's pages: what it queued, and the run's position and counts. */
    private final class Walk {

        private final RunRecord run;
        private final String saver;
        private final Set<String> notResources;
        private final Map<String, MessageAttributeValue> attributes;
        private final Map<String, Integer> unsupportedByType = new TreeMap<>();
        private final Map<String, Integer> optedOutByType = new TreeMap<>();
        private Counts added = Counts.ZERO;
        private Counts counts;
        private Position position;
        private long saves;

        Walk(RunRecord run, String saver) {
            this.run = run;
            this.saver = saver;
            this.notResources = new HashSet<>(run.request().selection().notResources());
            this.attributes = RequestQueue.runAttributes(run.key(), run.deadline());
            this.counts = run.counts();
            this.position = run.position();
            this.saves = run.saves();
        }

        /**
         * Queues the page's resources from the position on, saving the position after each batch; false when
         * another invocation of the same run saved first, which then carries it on.
         */
        boolean queue(TaggedResources.Page page) {
            List<String> arns = page.arns();
            long pageStart = position.listed() - position.offset();
            RequestQueue.Batch batch = new RequestQueue.Batch(attributes);
            Counts unsaved = Counts.ZERO;
            for (int i = position.offset(); i < arns.size(); i++) {
                if (pageStart + i < position.resumeAt()) {
                    // Handled by an earlier walk of the listing, before its token expired.
                    continue;
                }
                String arn = arns.get(i);
                Counts outcome;
                String body = null;
                Optional<Set<String>> types = SupportedResourceTypes.backupResourceTypes(arn);
                if (notResources.contains(arn)) {
                    outcome = new Counts(1, 0, 0, 0, 1);
                } else if (types.isEmpty()) {
                    unsupportedByType.merge(SupportedResourceTypes.typeOf(arn), 1, Integer::sum);
                    outcome = new Counts(1, 0, 1, 0, 0);
                } else if (SupportedResourceTypes.optedOut(types.get(), run.optedOutTypes())) {
                    optedOutByType.merge(SupportedResourceTypes.name(types.get()), 1, Integer::sum);
                    outcome = new Counts(1, 0, 0, 1, 0);
                } else {
                    body = body(run.request().template(), arn, run.key());
                    outcome = new Counts(1, 1, 0, 0, 0);
                }
                if (body != null && !batch.add(body)) {
                    // The batch is full: queue it, and save the position at this resource, before going on.
                    if (!save(batch, unsaved, position.within(i))) {
                        return false;
                    }
                    batch = new RequestQueue.Batch(attributes);
                    batch.add(body);
                    unsaved = Counts.ZERO;
                }
                unsaved = unsaved.plus(outcome);
            }
            Position next = page.nextToken() == null ? null
                    : Position.page(page.nextToken(), pageStart + arns.size(), position.resumeAt());
            return save(batch, unsaved, next);
        }

        /**
         * Queues the batch, then saves the position after it with what its resources came to. Between the two, a
         * crash leaves the batch queued and the position before it: the retry queues the same bodies again, which
         * StartBackupJobFunction answers from its store; counted once, as only the save counts.
         */
        private boolean save(RequestQueue.Batch batch, Counts unsaved, Position next) {
            queue.send(batch);
            Optional<Counts> saved = runs.save(run.key(), saves, next, unsaved, saver);
            if (saved.isEmpty()) {
                LOG.atInfo().addKeyValue("selectionKey", run.key())
                        .log("Another invocation of this run saved its position first: it carries the run on");
                counts = runs.find(run.key()).map(RunRecord::counts).orElse(counts);
                return false;
            }
            saves++;
            counts = saved.get();
            added = added.plus(unsaved);
            position = next;
            return true;
        }

        SelectionResult end(boolean complete) {
            // Counts and types only: the selection's tag values never reach the log.
            LOG.atInfo()
                    .addKeyValue("selectionKey", run.key())
                    .addKeyValue("matched", added.matched())
                    .addKeyValue("queued", added.queued())
                    // Every skipped resource, whatever the reason: the template's RunResourcesSkipped metric sums it.
                    .addKeyValue("skipped", added.skippedUnsupportedType() + added.skippedOptedOut()
                            + added.skippedNotResources())
                    .addKeyValue("skippedNotResources", added.skippedNotResources())
                    .addKeyValue("skippedUnsupportedTypes", unsupportedByType)
                    .addKeyValue("skippedOptedOutTypes", optedOutByType)
                    .addKeyValue("complete", complete)
                    .log(complete ? "Backup requests queued for the selection: every page is queued"
                            : "Backup requests queued for the selection: the run goes on in another invocation");
            return result(run.key(), counts, complete);
        }
    }

    private static SelectionResult result(String key, Counts counts, boolean complete) {
        return new SelectionResult(key, counts.matched(), counts.queued(), new SelectionResult.Skipped(
                counts.skippedUnsupportedType(), counts.skippedOptedOut(), counts.skippedNotResources()), complete);
    }

    /** The SelectionKey a continuation names: {"ContinueRun": "<key>"}, nothing else. */
    private static String continuedRun(JsonNode request) {
        JsonNode key = request.get(RunContinuations.CONTINUE_RUN);
        if (request.size() != 1 || !key.isTextual() || key.textValue().isBlank()) {
            throw new InvalidRequestException(RunContinuations.CONTINUE_RUN + ": must be a run's SelectionKey, alone "
                    + "in the request: {\"" + RunContinuations.CONTINUE_RUN + "\": \"<SelectionKey>\"}");
        }
        return key.textValue();
    }

    /**
     * The plain request of one resource. Its token covers the selection's key and the ARN, so a batch queued again
     * after a crash holds the same bodies, which the StartBackupJob function and AWS Backup answer with the first job.
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
