package pilot.core.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class Crc32Test {
    @Test
    void checkValueOfCrc32Ieee() {
        byte[] b = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0xCBF43926, Crc32.of(b, 0, b.length));
    }

    @Property(tries = 200)
    void zeroedFieldEqualsTheChecksumOfACopyWithTheFieldZeroed(@ForAll @Size(min = 8, max = 300) byte[] b,
                                                               @ForAll @IntRange(min = 0, max = 1000) int where) {
        int field = where % (b.length - 3);
        byte[] copy = b.clone();
        copy[field] = copy[field + 1] = copy[field + 2] = copy[field + 3] = 0;
        CRC32 jdk = new CRC32();
        jdk.update(copy);
        assertEquals((int) jdk.getValue(), Crc32.ofZeroedField(b, 0, b.length, field));
    }

    @Test
    void respectsTheOffset() {
        byte[] b = {9, 9, '1', '2', '3', '4', '5', '6', '7', '8', '9', 9};
        assertEquals(0xCBF43926, Crc32.of(b, 2, 9));
    }
}
