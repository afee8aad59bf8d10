package dev.runledger.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runledger.avro.AgentBinding;
import dev.runledger.avro.AgentRun;
import dev.runledger.avro.AgentRunEvent;
import dev.runledger.avro.Artifact;
import dev.runledger.avro.ConversationState;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.HostEvent;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.OutboundMessage;
import dev.runledger.avro.RunCommand;
import dev.runledger.avro.RunNotice;
import dev.runledger.avro.RunTrack;
import dev.runledger.avro.RunnerManifest;
import dev.runledger.avro.StateEntry;
import dev.runledger.avro.TranscriptItem;
import dev.runledger.avro.WorkerHeartbeat;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every released schema version (src/main/avro/history) stays readable by the current schema:
 * Avro's compatibility check passes, and data written with the old version decodes through the
 * production serdes into the current class.
 */
class SchemaCompatibilityTest {
  static final List<Class<? extends SpecificRecord>> TOP_LEVEL =
      List.of(
          HostEvent.class,
          AgentBinding.class,
          RunnerManifest.class,
          WorkerHeartbeat.class,
          RunCommand.class,
          LedgerRecord.class,
          DispatchDecision.class,
          AgentRun.class,
          AgentRunEvent.class,
          TranscriptItem.class,
          StateEntry.class,
          Artifact.class,
          OutboundMessage.class,
          RunNotice.class,
          RunTrack.class,
          ConversationState.class);

  private static final SchemaHistory HISTORY = SchemaHistory.load();
  private static final LedgerSerdes SERDES = SingleObjectSerdes.create(HISTORY);

  static Stream<Arguments> releasedVersions() {
    final List<Arguments> all = new ArrayList<>();
    for (final Class<? extends SpecificRecord> type : TOP_LEVEL) {
      final List<Schema> versions =
          HISTORY.versionsOf(SchemaHistory.currentSchema(type).getFullName());
      for (int v = 0; v < versions.size(); v++) {
        all.add(Arguments.of(type.getSimpleName() + " v" + (v + 1), type, versions.get(v)));
      }
    }
    return all.stream();
  }

  @Test
  void shouldHaveAReleasedVersionOfEveryTopLevelRecord() {
    for (final Class<? extends SpecificRecord> type : TOP_LEVEL) {
      assertThat(HISTORY.versionsOf(SchemaHistory.currentSchema(type).getFullName()))
          .as("history of %s", type.getSimpleName())
          .isNotEmpty();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("releasedVersions")
  void shouldReadEveryReleasedVersionWithTheCurrentSchema(
      final String label, final Class<? extends SpecificRecord> type, final Schema released) {
    final Schema current = SchemaHistory.currentSchema(type);

    final SchemaCompatibilityType compatibility =
        SchemaCompatibility.checkReaderWriterCompatibility(current, released).getType();

    assertThat(compatibility).as(label).isEqualTo(SchemaCompatibilityType.COMPATIBLE);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("releasedVersions")
  void shouldDecodeDataWrittenWithEveryReleasedVersion(
      final String label, final Class<? extends SpecificRecord> type, final Schema released)
      throws Exception {
    // given a record written by an old producer with the released schema
    final GenericRecord old = (GenericRecord) SampleData.sample(released);
    final ByteBuffer written =
        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), released).encode(old);
    final byte[] bytes = new byte[written.remaining()];
    written.get(bytes);

    // when the current serde reads it
    final SpecificRecord decoded = SERDES.forType(type).deserializer().deserialize("t", bytes);

    // then it is a current record carrying the old record's first field
    assertThat(decoded).isInstanceOf(type);
    assertThat(String.valueOf(decoded.get(0))).isEqualTo(String.valueOf(old.get(0)));
  }

  @Test
  void shouldDetectAnIncompatibleChange() {
    // given a released version and a change that adds a required field without a default
    final Schema released =
        new Schema.Parser()
            .parse(
                "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"string\"}]}");
    final Schema changed =
        new Schema.Parser()
            .parse(
                "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"string\"},"
                    + "{\"name\":\"b\",\"type\":\"string\"}]}");

    // when/then the same check the history test uses rejects it
    assertThat(SchemaCompatibility.checkReaderWriterCompatibility(changed, released).getType())
        .isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
  }
}
