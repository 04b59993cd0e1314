/**
 * Small building blocks holding weights loaded by diffusers key prefix ({@link ai.booth.diffusion.nn.StateDict}):
 * {@link ai.booth.diffusion.nn.Linear} (with the LoRA hook), {@link ai.booth.diffusion.nn.Conv2d},
 * {@link ai.booth.diffusion.nn.GroupNorm}, {@link ai.booth.diffusion.nn.LayerNorm},
 * {@link ai.booth.diffusion.nn.Embedding}, {@link ai.booth.diffusion.nn.Activations} and
 * {@link ai.booth.diffusion.nn.Attention}.
 *
 * <h2>Memory rule</h2>
 * DJL attaches the result of {@code a.op(b)} to {@code a}'s manager. In every forward the activation is therefore
 * the first operand ({@code x.mul(w)}, never {@code w.mul(x)}), so intermediates land in the activation's manager
 * and never in the long-lived manager that holds the weights. A forward that makes temporaries runs inside a
 * {@link ai.booth.diffusion.nn.Scope}: a sub-manager the inputs are temporarily attached to, closed at the end,
 * with only the result kept ({@code scope.keep(y)} attaches it to the caller's manager). Nested blocks do the same,
 * so a UNet forward at latent 64 holds only the live activations, not every intermediate. Autograd is unaffected:
 * libtorch keeps what backward needs by its own references.
 *
 * <h2>Autograd rule</h2>
 * Everything a graph holds must stay what forward wrote until backward ends. Hence: no libtorch convolution backward
 * (it returns wrong input gradients on AVX-512 CPUs; {@link ai.booth.diffusion.nn.Conv2d} convolves as patches ×
 * weight under autograd); no tensor over Java memory in a graph (DJL's {@code mul(Number)} and {@code create(float[])}
 * wrap Java buffers that are freed when closed or collected — use {@link ai.booth.diffusion.nn.Ops#scale},
 * {@code full}, {@code zeros}, {@code ones}); no view of a closed array over a file mapping; widen with
 * {@link ai.booth.diffusion.nn.Ops#toFloat32} (DJL's {@code toType} cuts the graph). Closing handles and scopes is
 * safe: libtorch keeps what the graph references. See the module README, "Autograd rules".
 */
package ai.booth.diffusion.nn;
