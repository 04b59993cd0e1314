package ai.booth.diffusion.nn;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The benchmark's meter: FLOPs counted per kind always, time per kind only while timing is on. */
class OpMeterTest {

    @AfterEach
    void off() {
        OpMeter.timing(false);
        OpMeter.reset();
    }

    @Test
    void eachKindCountsItsOwnFlopsAndTimeOnlyWhileTimingIsOn() {
        try (NDManager m = NDManager.newBaseManager()) {
            StateDict w = StateDict.random(m, DataType.FLOAT32, 1);
            Conv2d conv = Conv2d.same(w.at("conv"), 4, 8, 3);
            Linear linear = new Linear(w.at("linear"), 8, 16, true);
            GroupNorm norm = new GroupNorm(w.at("norm"), 2, 8, 1e-5f);

            OpMeter.reset();
            conv.forward(m.randomNormal(new Shape(1, 4, 6, 6)));
            assertEquals(2L * 36 * 8 * 4 * 9, OpMeter.flops(OpMeter.Kind.CONVOLUTION));
            assertEquals(0, OpMeter.nanos(OpMeter.Kind.CONVOLUTION), "no clock read while timing is off");

            OpMeter.timing(true);
            conv.forward(m.randomNormal(new Shape(1, 4, 6, 6)));
            linear.forward(m.randomNormal(new Shape(3, 8)));
            norm.forward(m.randomNormal(new Shape(1, 8, 6, 6)));
            assertEquals(2L * 2 * 36 * 8 * 4 * 9, OpMeter.flops(OpMeter.Kind.CONVOLUTION));
            assertEquals(2L * 3 * 8 * 16, OpMeter.flops(OpMeter.Kind.LINEAR));
            assertEquals(OpMeter.flops(OpMeter.Kind.CONVOLUTION) + OpMeter.flops(OpMeter.Kind.LINEAR),
                    OpMeter.flops(), "norms count time, not FLOPs");
            for (OpMeter.Kind kind : new OpMeter.Kind[] {OpMeter.Kind.CONVOLUTION, OpMeter.Kind.LINEAR,
                    OpMeter.Kind.NORM}) {
                assertTrue(OpMeter.nanos(kind) > 0, kind + " timed");
            }
            assertEquals(0, OpMeter.nanos(OpMeter.Kind.ATTENTION), "no attention ran");
        }
    }
}
