package ai.booth.gateway.job;

import ai.booth.gateway.auth.Caller;

/**
 * What every job kind's endpoints do alike: list, read and render the caller's jobs of one {@link JobRegistry}.
 * The HTTP surface is {@link JobEndpoints} (list and get for every kind, create in {@link RequestedJobEndpoints})
 * plus each kind's resource (path, tag, endpoints of its own); their OpenAPI texts are written in by
 * {@link JobOpenApi}. {@link RequestedJobService} adds starting a job from a JSON spec.
 *
 * @param <V> the view the API shows
 */
public abstract class JobService<V extends Views.Job> {

    private final String noun;
    private final JobRegistry<V> registry;
    private final Caller caller;
    private final ViewHistory history;

    /** @param noun the job in problem details ("no such generation") */
    protected JobService(String noun, JobRegistry<V> registry, Caller caller, ViewHistory history) {
        this.noun = noun;
        this.registry = registry;
        this.caller = caller;
        this.history = history;
    }

    /** The view as the caller sees it (presigned URLs). */
    public abstract V render(V view);

    /** One page of the caller's jobs, newest first. */
    public Page<V> list(int offset, int limit) {
        Page.check(offset, limit);
        return registry.views().page(caller.ownerId(), offset, limit).map(this::render);
    }

    /** The caller's job as shown; 404 for anyone else's. */
    public V get(String id) {
        return render(find(id));
    }

    /**
     * The caller's job as stored; 404 for anyone else's, 503 while a restarted replica has not read the job history
     * (the job may only be not read yet).
     */
    public V find(String id) {
        return registry.find(id, caller.ownerId()).orElseThrow(() -> history.notFound(noun, id));
    }

    protected Caller caller() {
        return caller;
    }
}
