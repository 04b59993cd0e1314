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
 */
package ai.booth.diffusion.nn;
