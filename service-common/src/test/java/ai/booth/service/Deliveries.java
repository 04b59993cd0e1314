package ai.booth.service;

import ai.booth.contracts.Event;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

/** {@link EventDeliveryTest}'s emitter: a channel to {@code booth.generation.failed} with a short delivery timeout. */
@ApplicationScoped
public class Deliveries {

    @Inject
    @Channel("deliveries")
    Emitter<Event<?>> emitter;

    Emitter<Event<?>> emitter() { // through the client proxy: its own fields are not the bean's
        return emitter;
    }
}
