package dev.rloop.net;

/**
 * What the loop's selector keys carry as their attachment: the id the Python side registered
 * the object under, which {@code LoopCore.nextEvent} hands back with the ready operations.
 */
public interface Registered {
    int id();
}
