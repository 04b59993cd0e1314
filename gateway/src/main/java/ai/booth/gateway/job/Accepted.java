package ai.booth.gateway.job;

import ai.booth.contracts.Event;
import ai.booth.service.EventMessages;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.reactive.messaging.Emitter;

import java.net.URI;
import java.util.concurrent.CompletionStage;

/** Every job-creating endpoint answers the same way: 202 with the job's view and Location, once Kafka has it. */
public final class Accepted {

    public static CompletionStage<Response> afterPublishing(Emitter<Event<?>> emitter, Event<?> event, String location,
                                                     Object view) {
        return EventMessages.send(emitter, event)
                .thenApply(acked -> Response.accepted(view).location(URI.create(location)).build());
    }

    private Accepted() {
    }
}
