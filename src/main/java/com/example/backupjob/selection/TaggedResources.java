package com.example.backupjob.selection;

import com.example.backupjob.deadline.InvocationDeadline;
import com.example.backupjob.error.AccessDeniedException;
import com.example.backupjob.error.BackupServiceException;
import com.example.backupjob.error.ErrorSource;
import com.example.backupjob.error.InvalidParameterValueException;
import com.example.backupjob.error.ServiceUnavailableException;
import com.example.backupjob.error.StartBackupJobException;
import com.example.backupjob.error.ThrottlingException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.resourcegroupstaggingapi.ResourceGroupsTaggingApiClient;
import software.amazon.awssdk.services.resourcegroupstaggingapi.model.GetResourcesRequest;
import software.amazon.awssdk.services.resourcegroupstaggingapi.model.GetResourcesResponse;
import software.amazon.awssdk.services.resourcegroupstaggingapi.model.ResourceTagMapping;
import software.amazon.awssdk.services.resourcegroupstaggingapi.model.TagFilter;

/** The ARNs of the resources a selection's tags and types match, from the Resource Groups Tagging API. */
public final class TaggedResources {

    // GetResources returns at most 100 resources a page.
    private static final int RESOURCES_PER_PAGE = 100;
    private static final String TOKEN_EXPIRED = "PaginationTokenExpiredException";

    private final ResourceGroupsTaggingApiClient tagging;
    private final InvocationDeadline deadline;

    public TaggedResources(ResourceGroupsTaggingApiClient tagging, InvocationDeadline deadline) {
        this.tagging = tagging;
        this.deadline = deadline;
    }

    /** One page of matches: its ARNs, each once, in the API's order, and the token of the next page (null after the last). */
    record Page(List<String> arns, String nextToken) {
    }

    /**
     * One page of matching resources, fetched with the time then left in the invocation (one call at a time rather
     * than through the SDK's paginator, so that the selection can queue each page before it asks for the next).
     *
     * @param paginationToken the token of the page, null for the first
     * @return the page; empty when its token has expired (a PaginationToken lasts 15 minutes), so that the caller
     *     can walk the listing again from the first page
     * @throws StartBackupJobException when the page cannot be had after the SDK's retries
     */
    Optional<Page> page(Selection selection, String paginationToken) {
        GetResourcesRequest.Builder request = GetResourcesRequest.builder()
                .tagFilters(selection.tags().entrySet().stream()
                        .map(tag -> TagFilter.builder().key(tag.getKey()).values(tag.getValue()).build())
                        .toList())
                .resourcesPerPage(RESOURCES_PER_PAGE)
                .paginationToken(paginationToken);
        if (!selection.resourceTypes().isEmpty()) {
            request.resourceTypeFilters(selection.resourceTypes());
        }
        GetResourcesResponse page;
        try {
            page = page(request.overrideConfiguration(deadline.callOverride()).build());
        } catch (ServiceUnavailableException e) {
            if (paginationToken != null && e.getCause() instanceof AwsServiceException cause
                    && cause.awsErrorDetails() != null
                    && TOKEN_EXPIRED.equals(cause.awsErrorDetails().errorCode())) {
                return Optional.empty();
            }
            throw e;
        }
        Set<String> arns = new LinkedHashSet<>();
        page.resourceTagMappingList().stream().map(ResourceTagMapping::resourceARN).forEach(arns::add);
        String next = page.paginationToken();
        return Optional.of(new Page(List.copyOf(arns), next == null || next.isEmpty() ? null : next));
    }

    private GetResourcesResponse page(GetResourcesRequest request) {
        try {
            return tagging.getResources(request);
        } catch (AwsServiceException e) {
            throw translate(e);
        } catch (SdkException e) {
            throw new ServiceUnavailableException(ErrorSource.TAGGING_API, "could not be reached in time: "
                    + e.getMessage(), e);
        }
    }

    /**
     * The Tagging API's errors under the contract's names; an unlisted code under its own, as AWS Backup's are. The
     * service's messages are left out: they may repeat the tag values of the request.
     */
    private static StartBackupJobException translate(AwsServiceException e) {
        String code = e.awsErrorDetails() == null || e.awsErrorDetails().errorCode() == null ? "UnknownError"
                : e.awsErrorDetails().errorCode();
        String call = "GetResources (" + code + ", HTTP " + e.statusCode() + ")";
        ErrorSource tagging = ErrorSource.TAGGING_API;
        return switch (code) {
            case "ThrottledException", "ThrottlingException" ->
                    new ThrottlingException(tagging, "throttled " + call + " after the SDK's retries", e);
            case "InvalidParameterException" -> new InvalidParameterValueException(tagging, "rejected " + call, e);
            case "AccessDeniedException" -> new AccessDeniedException(tagging,
                    "denied " + call + ": the function's role needs tag:GetResources", e);
            case "InternalServiceException", TOKEN_EXPIRED ->
                    new ServiceUnavailableException(tagging, "failed " + call, e);
            default -> new BackupServiceException(tagging, code, "failed " + call,
                    e.statusCode() >= 500 || e.isThrottlingException(), e);
        };
    }
}
