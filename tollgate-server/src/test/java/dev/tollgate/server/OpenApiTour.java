package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntSupplier;
import org.jspecify.annotations.Nullable;

/**
 * A client that checks every exchange against the OpenAPI description as it goes: each request names its operation
 * (method and path template, filled from its parameters), the JSON body it sends is checked against the request
 * schema, and the answer against the response the description gives for its status ({@link OpenApiContract}). What
 * the description gets wrong is collected ({@link #problems()}), so one run lists every drift at once; a status other
 * than the one expected fails at once, since what follows depends on it. It keeps which statuses each operation
 * answered, so a test can tell that it drove every endpoint.
 *
 * <p>Not thread-safe: one test's.
 */
final class OpenApiTour {
    /** A request to make: built with {@link #to}, then {@link #expect}ed. */
    final class Call {
        private final String method;
        private final String template;
        private final Map<String, String> params = new LinkedHashMap<>();
        private final Map<String, String> headers = new LinkedHashMap<>();
        private String query = "";
        private @Nullable String body;
        private String contentType = "application/json";
        private @Nullable String key = ApiClient.KEY;
        private boolean invalidOnPurpose;

        private Call(String method, String template) {
            this.method = method;
            this.template = template;
        }

        /** Fills the path parameter {@code name}. */
        Call param(String name, String value) {
            params.put(name, value);
            return this;
        }

        /** The query string, without {@code ?}. */
        Call query(String q) {
            query = q;
            return this;
        }

        /** A JSON body, written from a tree. */
        Call json(Object tree) {
            body = Json.write(tree);
            return this;
        }

        /** A body as text, of {@code type}. */
        Call raw(String type, String text) {
            contentType = type;
            body = text;
            return this;
        }

        Call header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        /**
         * A body that breaks the request schema on purpose, for a server that takes it anyway (an events batch with a bad
         * event, answered in its place): asserts that the description does refuse it, instead of checking it fits.
         */
        Call invalidOnPurpose() {
            invalidOnPurpose = true;
            return this;
        }

        /** Without the API key. */
        Call anonymous() {
            key = null;
            return this;
        }

        /** With {@code credential} (a key made through the API, a portal token) instead of the root key. */
        Call as(String credential) {
            key = credential;
            return this;
        }

        /**
         * Sends it, checks the body sent (when the answer is not a refusal of its form) and the answer against the
         * description, and that the status is {@code status}.
         */
        ApiClient.Reply expect(int status) {
            String path = template;
            for (Map.Entry<String, String> p : params.entrySet()) {
                path = path.replace("{" + p.getKey() + "}", p.getValue());
            }
            assertThat(path).as("every parameter of %s filled", template).doesNotContain("{");
            if (body != null && contentType.equals("application/json")) {
                if (invalidOnPurpose) {
                    assertThat(contract.requestProblems(method, template, contentType, body))
                            .as("a body invalid on purpose, refused by the schema")
                            .isNotEmpty();
                } else if (status < 400) {
                    problems.addAll(contract.requestProblems(method, template, contentType, body));
                }
            }
            ApiClient.Reply a = send(path + (query.isEmpty() ? "" : "?" + query));
            String type = a.headers().entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase("content-type"))
                    .map(e -> e.getValue().get(0))
                    .findFirst()
                    .orElse(null);
            assertThat(a.status()).as("%s %s: %s", method, path, a.text()).isEqualTo(status);
            problems.addAll(contract.answerProblems(method, template, a.status(), type, a.headers(), a.text()));
            answered.computeIfAbsent(method + " " + template, k -> new TreeSet<>())
                    .add(a.status());
            return a;
        }

        /** As {@link #expect}, for a {@code 400} whose error names {@code field}. */
        ApiClient.Reply refusedAt(String code, String field) {
            ApiClient.Reply a = expect(400);
            assertThat(a.error()).containsEntry("code", code).containsEntry("field", field);
            return a;
        }

        /** As {@link #expect}, for a refusal of {@code status} with {@code code}. */
        ApiClient.Reply refused(int status, String code) {
            ApiClient.Reply a = expect(status);
            assertThat(a.error()).as(a.text()).containsEntry("code", code);
            return a;
        }

        private ApiClient.Reply send(String pathAndQuery) {
            HttpRequest.Builder b = HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port.getAsInt() + pathAndQuery))
                    .timeout(Duration.ofSeconds(30))
                    .method(
                            method,
                            body == null
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
            if (body != null) {
                b.header("Content-Type", contentType);
            }
            if (key != null) {
                b.header("Authorization", "Bearer " + key);
            }
            headers.forEach(b::header);
            try {
                HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
                Object json = r.headers().firstValue("content-type").orElse("").contains("json")
                                && !r.body().isEmpty()
                        ? Json.parse(r.body())
                        : null;
                return new ApiClient.Reply(r.statusCode(), json, r.headers().map(), r.body());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private final OpenApiContract contract;
    private final IntSupplier port;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, Set<Integer>> answered = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();

    /** @param port where the server listens now */
    OpenApiTour(OpenApiContract contract, IntSupplier port) {
        this.contract = contract;
        this.port = port;
    }

    /** A request to the operation {@code method template}. */
    Call to(String method, String template) {
        return new Call(method, template);
    }

    /** Records an exchange made otherwise (the change feed's stream), after checking it as {@link Call#expect} does. */
    void answered(String operation, int status, List<String> found) {
        problems.addAll(found);
        answered.computeIfAbsent(operation, k -> new TreeSet<>()).add(status);
    }

    /** What the description got wrong so far, about bodies sent and answers got (empty when it got nothing wrong). */
    List<String> problems() {
        return problems;
    }

    /** The statuses each operation answered so far. */
    Map<String, Set<Integer>> answered() {
        return answered;
    }

    /** The operations among {@code operations} that never answered a success (2xx). */
    List<String> withoutSuccess(Set<String> operations) {
        List<String> out = new ArrayList<>();
        for (String op : operations) {
            Set<Integer> statuses = answered.getOrDefault(op, Set.of());
            if (statuses.stream().noneMatch(s -> s >= 200 && s < 300)) {
                out.add(op);
            }
        }
        return out;
    }

    /** The operations among {@code operations} that never answered {@code status}. */
    Set<String> without(Set<String> operations, int status) {
        Set<String> out = new LinkedHashSet<>();
        for (String op : operations) {
            if (!answered.getOrDefault(op, Set.of()).contains(status)) {
                out.add(op);
            }
        }
        return out;
    }
}
