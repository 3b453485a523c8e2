package dev.tollgate.server;

import static dev.tollgate.server.FuzzRoutes.BAD_PATH_IDS;
import static dev.tollgate.server.FuzzRoutes.BAD_QUERIES;
import static dev.tollgate.server.FuzzRoutes.BAD_READS;
import static dev.tollgate.server.FuzzRoutes.BAD_TEXT;
import static dev.tollgate.server.FuzzRoutes.BAD_TIMES;
import static dev.tollgate.server.FuzzRoutes.BAD_WRITES;
import static dev.tollgate.server.FuzzRoutes.HUGE;
import static dev.tollgate.server.FuzzRoutes.map;

import dev.tollgate.core.Limits;
import dev.tollgate.core.json.Json;
import dev.tollgate.server.FuzzRoutes.Field;
import dev.tollgate.server.FuzzRoutes.Kind;
import dev.tollgate.server.FuzzRoutes.Route;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jspecify.annotations.Nullable;

/**
 * The generator of {@link FuzzIT}: one bad request at a time, each a valid request of {@link FuzzRoutes} with one
 * mutation (a wrong type, a huge or tiny number, deep nesting, an over-long string, a lone surrogate, a NUL, a bad
 * date, an unknown field, a repeated name, a missing field, a bad path id or query parameter, a broken body), and what
 * its refusal must name. Everything it draws comes from the one {@link Random}, so a seed replays a run.
 */
final class FuzzRequests {
    private static final String RAW = "\u0001raw:";

    private FuzzRequests() {}

    /** One bad request and what its refusal must name. */
    record Bad(
            String method,
            String path,
            @Nullable String body,
            String mutation,
            @Nullable String field) {}

    /** The next bad request. */
    static Bad next(Random random, List<Route> routes, String session) {
        int pick = random.nextInt(20);
        if (pick == 0) {
            if (random.nextInt(4) == 0) {
                String[] write =
                        BAD_WRITES.get(random.nextInt(BAD_WRITES.size())).split(" ");
                return new Bad(write[0], write[1], null, "bad path or query", null);
            }
            return new Bad("GET", BAD_QUERIES.get(random.nextInt(BAD_QUERIES.size())), null, "bad query", null);
        }
        if (pick == 1) {
            String id = BAD_PATH_IDS.get(random.nextInt(BAD_PATH_IDS.size()));
            String path = BAD_READS.get(random.nextInt(BAD_READS.size())).formatted(id);
            return new Bad("GET", path, null, "bad path id", null);
        }
        Route route = routes.get(random.nextInt(routes.size()));
        String path = route.path().replace("SESSION", session);
        if (pick == 2 && path.contains("acme")) {
            String id = BAD_PATH_IDS.get(random.nextInt(BAD_PATH_IDS.size()));
            return new Bad(route.method(), path.replace("acme", id), write(copy(route.body())), "bad path id", null);
        }
        if (pick == 3) {
            return brokenBody(random, route, path);
        }
        return mutated(random, route, path);
    }

    private static Bad brokenBody(Random random, Route route, String path) {
        String body = write(copy(route.body()));
        String broken = switch (random.nextInt(6)) {
            case 0 -> body.substring(0, random.nextInt(body.length()));
            case 1 -> body + " x";
            case 2 -> "[" + body + "]";
            case 3 -> "\"" + "x".repeat(random.nextInt(10)) + "\"";
            case 4 -> "null";
            default -> "{\"a\":" + "[".repeat(600) + "]".repeat(600) + "}";
        };
        return new Bad(route.method(), path, broken, "broken body", null);
    }

    /**
     * Where a mutation lands: the body, the object in it that is mutated (the body, or its first event), the path of
     * that object as the server names it ({@code ""} or {@code events[0]}), and that object's fields.
     */
    private record Target(Map<String, Object> body, Map<String, Object> object, String path, List<Field> fields) {
        /** The path of a field of the mutated object. */
        String field(String name) {
            return path.isEmpty() ? name : path + "." + name;
        }
    }

    /** What a mutation did, and the field its refusal must name ({@code null} for none). */
    private record Mutation(String name, @Nullable String field) {}

    private static Bad mutated(Random random, Route route, String path) {
        Map<String, Object> body = copy(route.body());
        boolean events = route.path().equals("/v1/events") && random.nextBoolean();
        Target target;
        if (events) {
            @SuppressWarnings("unchecked")
            List<Object> list = (List<Object>) body.get("events");
            @SuppressWarnings("unchecked")
            Map<String, Object> event = (Map<String, Object>) list.get(0);
            target = new Target(body, event, "events[0]", FuzzRoutes.EVENT_FIELDS);
        } else {
            target = new Target(body, body, "", route.fields());
        }
        int kind = random.nextInt(11);
        Mutation m = kind <= 6 ? mutateValue(random, target, kind) : mutateShape(random, target, kind);
        if (m == null) {
            return new Bad(route.method(), path, write(body) + "}", "broken body", null);
        }
        String field = m.field();
        if (route.path().equals("/v1/catalog")
                && !m.name().equals("huge number")
                && !m.name().equals("ill-formed text")
                && !m.name().equals("deep nesting")
                && !m.name().equals("repeated name")) {
            field = null; // the catalog's own checks name their paths in errors[]
        }
        return new Bad(route.method(), path, write(body), m.name(), field);
    }

    /**
     * Mutations of one value: a wrong type, a huge number, deep nesting, a long string, ill-formed text, a bad date.
     *
     * @return {@code null} when the body has no text field to make too long
     */
    private static @Nullable Mutation mutateValue(Random random, Target t, int kind) {
        Map<String, Object> target = t.object();
        List<Field> fields = t.fields();
        switch (kind) {
            case 0 -> {
                Field x = fields.get(random.nextInt(fields.size()));
                target.put(x.name(), wrongType(random, x.kind()));
                return new Mutation("wrong type", t.field(x.name()));
            }
            case 1, 2 -> {
                Slot slot = anySlot(random, target, t.path());
                slot.set(raw(HUGE.get(random.nextInt(HUGE.size()))));
                return new Mutation("huge number", slot.path());
            }
            case 3 -> {
                Slot slot = anySlot(random, target, t.path());
                int depth = Limits.MAX_DEPTH + random.nextInt(40);
                slot.set(raw("[".repeat(depth) + "]".repeat(depth)));
                return new Mutation("deep nesting", slot.path());
            }
            case 4 -> {
                Field x = pickOf(random, fields, Kind.ID, Kind.KEY, Kind.TEXT);
                if (x == null) {
                    return null;
                }
                int length = switch (x.kind()) {
                    case ID -> Limits.MAX_ID_LENGTH + 1 + random.nextInt(100);
                    case KEY -> Limits.MAX_KEY_LENGTH + 1 + random.nextInt(100);
                    default -> Limits.MAX_STRING_LENGTH + 1 + random.nextInt(10_000);
                };
                target.put(x.name(), "a".repeat(length));
                return new Mutation("long string", t.field(x.name()));
            }
            case 5 -> {
                Slot slot = anySlot(random, target, t.path());
                slot.set(raw(BAD_TEXT.get(random.nextInt(BAD_TEXT.size()))));
                return new Mutation("ill-formed text", slot.path());
            }
            default -> {
                Field x = pickOf(random, fields, Kind.TIME);
                if (x == null) {
                    x = fields.get(random.nextInt(fields.size()));
                    target.put(x.name(), wrongType(random, x.kind()));
                    return new Mutation("wrong type", t.field(x.name()));
                }
                target.put(x.name(), BAD_TIMES.get(random.nextInt(BAD_TIMES.size())));
                return new Mutation("bad date", t.field(x.name()));
            }
        }
    }

    /** Mutations of the object's shape: an unknown field, a repeated name, a missing field, an ill-formed name. */
    private static Mutation mutateShape(Random random, Target t, int kind) {
        Map<String, Object> target = t.object();
        switch (kind) {
            case 7 -> {
                target.put("zz" + random.nextInt(100), 1);
                return new Mutation("unknown field", t.field("zz"));
            }
            case 8 -> {
                String name = new ArrayList<>(target.keySet()).get(random.nextInt(target.size()));
                Object value = target.get(name);
                target.put(RAW + "dup", raw(Json.write(name) + ":" + Json.write(value)));
                return new Mutation("repeated name", t.field(name));
            }
            case 9 -> {
                Field x = pickRequired(random, t.fields());
                if (x == null) {
                    target.put("zz", 1);
                    return new Mutation("unknown field", t.field("zz"));
                }
                target.remove(x.name());
                return new Mutation("missing field", t.field(x.name()));
            }
            default -> {
                String bad = BAD_TEXT.get(random.nextInt(BAD_TEXT.size()));
                target.put(RAW + "name", raw(bad + ":1"));
                return new Mutation("ill-formed name", null);
            }
        }
    }

    private static @Nullable Field pickOf(Random random, List<Field> fields, Kind... kinds) {
        List<Field> fit = new ArrayList<>();
        for (Field x : fields) {
            if (List.of(kinds).contains(x.kind())) {
                fit.add(x);
            }
        }
        return fit.isEmpty() ? null : fit.get(random.nextInt(fit.size()));
    }

    private static @Nullable Field pickRequired(Random random, List<Field> fields) {
        List<Field> fit = new ArrayList<>();
        for (Field x : fields) {
            if (x.required()) {
                fit.add(x);
            }
        }
        return fit.isEmpty() ? null : fit.get(random.nextInt(fit.size()));
    }

    private static Object wrongType(Random random, Kind kind) {
        return switch (kind) {
            case ID, KEY, TEXT, TIME -> random.nextBoolean() ? 7 : List.of("x");
            case NUMBER, INT -> random.nextBoolean() ? "5" : true;
            case BOOL -> "true";
            case OBJECT, ANY -> random.nextBoolean() ? "x" : List.of(1);
            case LIST -> random.nextBoolean() ? "x" : map("a", 1);
        };
    }

    /** A place in the tree that holds a value, and its path as the server names it. */
    private record Slot(Object container, Object key, String path) {
        @SuppressWarnings("unchecked")
        void set(Object value) {
            if (container instanceof Map<?, ?> m) {
                ((Map<String, Object>) m).put((String) key, value);
            } else {
                ((List<Object>) container).set((Integer) key, value);
            }
        }
    }

    private static Slot anySlot(Random random, Map<String, Object> tree, String path) {
        List<Slot> slots = new ArrayList<>();
        collect(tree, path, slots);
        return slots.get(random.nextInt(slots.size()));
    }

    private static void collect(Object container, String path, List<Slot> out) {
        if (container instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String key = (String) e.getKey();
                String p = path.isEmpty() ? key : path + "." + key;
                out.add(new Slot(container, key, p));
                collect(e.getValue(), p, out);
            }
        } else if (container instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                String p = path + "[" + i + "]";
                out.add(new Slot(container, i, p));
                collect(l.get(i), p, out);
            }
        }
    }

    /** A deep, mutable copy of a template. */
    @SuppressWarnings("unchecked")
    private static <T> T copy(T tree) {
        if (tree instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put((String) k, copy(v)));
            return (T) out;
        }
        if (tree instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(v -> out.add(copy(v)));
            return (T) out;
        }
        if (tree instanceof Integer || tree instanceof Double) {
            return (T) new BigDecimal(tree.toString());
        }
        return tree;
    }

    /** JSON text written as it is: a number no tree could hold, an escape no string could, a repeated name. */
    private record Raw(String text) {}

    private static Raw raw(String text) {
        return new Raw(text);
    }

    /** Writes a tree as JSON, with {@link Raw} values as they are and entries named {@code RAW...} as raw members. */
    private static String write(@Nullable Object tree) {
        StringBuilder out = new StringBuilder();
        write(tree, out);
        return out.toString();
    }

    private static void write(@Nullable Object tree, StringBuilder out) {
        if (tree instanceof Raw r) {
            out.append(r.text());
        } else if (tree instanceof Map<?, ?> m) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                String key = (String) e.getKey();
                if (key.startsWith(RAW)) {
                    out.append(((Raw) e.getValue()).text());
                } else {
                    out.append(Json.write(key)).append(':');
                    write(e.getValue(), out);
                }
            }
            out.append('}');
        } else if (tree instanceof List<?> l) {
            out.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(l.get(i), out);
            }
            out.append(']');
        } else {
            out.append(Json.write(tree));
        }
    }
}
