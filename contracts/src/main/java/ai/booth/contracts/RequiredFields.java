package ai.booth.contracts;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Collection;

/** Rejects records whose components are null unless marked {@link Nullable}, naming the path of the missing field. */
final class RequiredFields {

    static void check(Record value) {
        check(value, value.getClass().getSimpleName());
    }

    private static void check(Record value, String path) {
        for (RecordComponent component : value.getClass().getRecordComponents()) {
            Object field = read(component, value);
            String fieldPath = path + "." + component.getName();
            if (field == null) {
                if (!component.isAnnotationPresent(Nullable.class)) {
                    throw new IllegalArgumentException(fieldPath + " is required");
                }
            } else if (field instanceof Record nested) {
                check(nested, fieldPath);
            } else if (field instanceof Collection<?> items) {
                int i = 0;
                for (Object item : items) {
                    if (item == null) {
                        throw new IllegalArgumentException(fieldPath + "[" + i + "] is null");
                    }
                    if (item instanceof Record nested) {
                        check(nested, fieldPath + "[" + i + "]");
                    }
                    i++;
                }
            }
        }
    }

    private static Object read(RecordComponent component, Record value) {
        try {
            return component.getAccessor().invoke(value);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + component, e);
        }
    }

    private RequiredFields() {
    }
}
