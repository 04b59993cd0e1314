package ai.booth.world;

import java.util.Objects;

/** A scene's background: a setting, and for {@link Setting#PLAIN} its colour (null otherwise). */
public record Backdrop(Setting setting, Colour plain) {

    public Backdrop {
        Objects.requireNonNull(setting, "setting");
        if ((setting == Setting.PLAIN) != (plain != null)) {
            throw new IllegalArgumentException("a plain backdrop, and only it, has a colour: " + setting + " " + plain);
        }
    }

    public static Backdrop of(Setting setting) {
        return new Backdrop(setting, null);
    }

    public static Backdrop plain(Colour colour) {
        return new Backdrop(Setting.PLAIN, colour);
    }

    /** The colours its pixels lie between. */
    public int[] palette() {
        return plain != null ? new int[] {plain.rgb()} : setting.palette.clone();
    }

    /** Whether an object of this colour is visible on it. */
    public boolean admits(Colour colour) {
        return plain != null ? colour.standsOut(plain.rgb()) : setting.admits(colour);
    }
}
