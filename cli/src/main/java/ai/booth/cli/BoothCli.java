package ai.booth.cli;

import ai.booth.diffusion.nn.CheckpointException;
import ai.booth.service.models.ModelInstallException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.util.concurrent.CancellationException;

/**
 * {@code booth}: the engine from the command line. One subcommand per job ({@code generate}, {@code sweep},
 * {@code train}, {@code experiment}, {@code inspect}, {@code bench}, {@code model}, {@code eval}, {@code world}); new jobs are added to
 * {@link #SUBCOMMANDS}. Errors are one line on stderr; bad input (options, files, models) exits with 2, other failures
 * with 1.
 */
@Command(name = "booth", mixinStandardHelpOptions = true, version = "Booth 0.1.0",
        description = "Stable Diffusion with DreamBooth LoRA adapters, in Java.",
        subcommands = CommandLine.HelpCommand.class)
public final class BoothCli implements Runnable {

    /** Exit code for bad input: options, files, models. */
    public static final int BAD_INPUT = 2;
    static final Class<?>[] SUBCOMMANDS = {GenerateCommand.class, SweepCommand.class, TrainCommand.class,
            ExperimentCommand.class, InspectCommand.class, BenchCommand.class, ModelCommand.class, EvalCommand.class,
            WorldCommand.class};

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(),
                "missing command: generate, sweep, train, experiment, inspect, bench, model, eval or world");
    }

    public static void main(String[] args) {
        // DJL logs a warning per start on machines without CUDA; the CLI only shows errors unless asked
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
        }
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs one command line with these streams; returns the exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new BoothCli());
        for (Class<?> sub : SUBCOMMANDS) {
            cli.addSubcommand(sub);
        }
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((e, arguments) -> {
            CommandLine cmd = e.getCommandLine();
            cmd.getErr().println(prefix(cmd) + e.getMessage() + " (see " + cmd.getCommandSpec().qualifiedName()
                    + " --help)");
            return BAD_INPUT;
        });
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println(prefix(cmd) + message(e));
            if (e instanceof CancellationException) {
                return 130;
            }
            return badInput(e) ? BAD_INPUT : 1;
        });
        return cli.execute(args);
    }

    private static String prefix(CommandLine cmd) {
        return cmd.getCommandSpec().qualifiedName() + ": error: ";
    }

    private static boolean badInput(Throwable e) {
        return e instanceof IllegalArgumentException || e instanceof CheckpointException
                || e instanceof ModelInstallException
                || e instanceof UncheckedIOException || e instanceof FileSystemException;
    }

    /** One line: the message, with the cause's when it adds something (e.g. the file an I/O error is about). */
    static String message(Throwable e) {
        String message = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null && !message.contains(cause.getMessage())) {
            message += ": " + cause.getMessage();
        }
        return message.replace('\n', ' ');
    }
}
