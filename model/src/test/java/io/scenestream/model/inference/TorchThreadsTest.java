package io.scenestream.model.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class TorchThreadsTest {

    private static <T> T onThread(ExecutorService ex, Callable<T> c) throws Exception {
        return ex.submit(c).get();
    }

    @Test
    void eachThreadKeepsItsOwnCountAndNewThreadsKeepLibtorchsDefault() throws Exception {
        int libtorchDefault = TorchThreads.libtorchDefault();
        assertTrue(libtorchDefault >= 1);
        ExecutorService a = Executors.newSingleThreadExecutor();
        ExecutorService b = Executors.newSingleThreadExecutor();
        ExecutorService later = Executors.newSingleThreadExecutor();
        try {
            assertEquals(3, onThread(a, () -> TorchThreads.useOnThisThread(3)));
            assertEquals(1, onThread(b, () -> TorchThreads.useOnThisThread(1)));
            // Work on each thread, then each still has its own number.
            Callable<Integer> work =
                    () -> {
                        try (NDManager m = NDManager.newBaseManager()) {
                            NDArray x = m.randomNormal(new ai.djl.ndarray.types.Shape(64, 64));
                            x.matMul(x).sum().getFloat();
                        }
                        return TorchThreads.onThisThread();
                    };
            assertEquals(3, onThread(a, work));
            assertEquals(1, onThread(b, work));
            // A thread that never sets its number still gets libtorch's default, not the last one
            // set.
            assertEquals(libtorchDefault, onThread(later, work));
            assertEquals(libtorchDefault, onThread(later, () -> TorchThreads.useOnThisThread(0)));
            assertEquals(3, onThread(a, TorchThreads::onThisThread));
        } finally {
            a.shutdownNow();
            b.shutdownNow();
            later.shutdownNow();
        }
    }

    @Test
    void aNegativeCountIsRefused() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class, () -> TorchThreads.useOnThisThread(-1));
        assertTrue(e.getMessage().contains("-1"));
    }
}
