package dev.runledger.worker.hostapi;

import java.util.Optional;
import java.util.ServiceLoader;

/**
 * The model, tool and knowledge providers behind {@code invoke_model}, {@code call_tool} and {@code
 * retrieve_knowledge}; each may be absent.
 *
 * @param models the model provider, if any
 * @param tools the tool provider, if any
 * @param knowledge the knowledge provider, if any
 */
record Providers(
    Optional<ModelProvider> models,
    Optional<ToolProvider> tools,
    Optional<KnowledgeProvider> knowledge) {

  /** No providers: authorized calls fail with {@code runtime_error} ({@code provider.missing}). */
  public static Providers none() {
    return new Providers(Optional.empty(), Optional.empty(), Optional.empty());
  }

  /** The first provider of each kind on the classpath. */
  public static Providers discover() {
    final ClassLoader loader = Providers.class.getClassLoader();
    return new Providers(
        ServiceLoader.load(ModelProvider.class, loader).findFirst(),
        ServiceLoader.load(ToolProvider.class, loader).findFirst(),
        ServiceLoader.load(KnowledgeProvider.class, loader).findFirst());
  }
}
