package ai.booth.deploy;

import ai.booth.infra.BoothHome;
import ai.booth.keys.ApiKeyStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A new user's whole workflow in a real headless Chromium against the real stack, as {@code ./booth up} runs it:
 * sign in with a key, drop photos, wait for the dataset report, train a tiny adapter and watch the progress reach
 * 100 %, generate with it and see the image load; then another owner sees none of it. Needs Debian's
 * {@code chromium} and {@code chromium-driver} (see .ci/run); {@code -Dbooth.browser.skip=true} skips it.
 */
class BrowserIT {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final String MODEL = "sd-tiny";

    @TempDir
    static Path data;

    private static Stack stack;
    private static StackSettings settings;
    private static WebDriver browser;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeFalse(Boolean.getBoolean("booth.browser.skip"), "-Dbooth.browser.skip=true");
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            fail("the browser test needs Debian's chromium and chromedriver (" + CHROMIUM + ", " + CHROMEDRIVER
                    + "): apt-get install -y chromium chromium-driver, or run with -Dbooth.browser.skip=true");
        }
        settings = StackSettings.ephemeral(BoothHome.root(), data);
        stack = new Stack(settings).start(line -> { }); // the sampler installs demo model sd-tiny as it starts
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile()).addArguments("--headless",
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,2000");
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .build(), options);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (stack != null) {
            stack.close();
            StackLogs.keep(stack.settings(), BrowserIT.class);
        }
    }

    @Test
    void aNewUserUploadsTrainsAndGeneratesAndNobodyElseSeesIt() throws Exception {
        ApiKeyStore keys = new ApiKeyStore(settings.keysFile());
        String key = keys.create("rex-owner", "browser test", "standard").keyText();
        String gateway = stack.url(Service.GATEWAY).toString();
        FixtureModels.controlNet(stack, settings, "canny-tiny");
        browser.get(gateway);
        signIn(key);
        waitFor(Duration.ofSeconds(30), ExpectedConditions.textToBePresentInElementLocated(By.id("signed-in-as"),
                "rex-owner"));
        // no evaluation encoders yet: the training form says how to install them; once an admin has, it says nothing
        assertTrue(browser.findElement(By.id("evaluation-hint")).getText().contains("Evaluation is off"),
                browser.findElement(By.id("evaluation-hint")).getText());
        FixtureModels.encoders(stack, settings);

        // 1. photos: dropped files go to the file input, thumbnails appear, the report follows
        List<String> photos = photos(6);
        byLabel("Photos").sendKeys(String.join("\n", photos));
        assertEquals(photos.size(), browser.findElements(By.cssSelector("#thumbnails img")).size(), "thumbnails");
        byLabel("Subject").sendKeys("Rex");
        byLabel("Caption").sendKeys("a photo of sks dog");
        new Select(byLabel("Crop")).selectByValue("centre");
        setValue(byLabel("Resolution"), "256");
        browser.findElement(By.id("upload")).click();
        waitFor(Duration.ofMinutes(2), ExpectedConditions.textToBePresentInElementLocated(By.id("dataset-status"),
                "READY"));
        waitFor(Duration.ofSeconds(30), driver -> driver.findElement(By.id("evaluation-hint")).getText().isEmpty());
        List<WebElement> trainingImages = browser.findElements(By.cssSelector("table.report img"));
        assertTrue(!trainingImages.isEmpty(), "the report shows the training images");
        waitUntilLoaded(trainingImages.get(0));

        // 2. a tiny pivotal training (a LoRA and the new token <rex>, which names the subject instead of sks): few
        // steps at the model's own small size, followed live to 100 %
        new Select(byLabel("Base model")).selectByValue(MODEL);
        new Select(byLabel("Mode")).selectByValue("pivotal");
        assertFalse(byLabel("Token").isEnabled(), "the new tokens name the subject");
        byLabel("New tokens").sendKeys("<rex>");
        byLabel("Start tokens from word").sendKeys("dog");
        byLabel("Class noun").sendKeys("dog");
        setValue(byLabel("Steps"), "4");
        setValue(byLabel("Rank"), "4");
        setValue(byLabel("Training resolution"), "128");
        WebElement prior = byLabel("Prior preservation");
        if (prior.isSelected()) {
            prior.click();
        }
        byLabel("Validation prompt").sendKeys("a photo of <rex> dog");
        new Select(byLabel("Keep")).selectByValue("dino");
        browser.findElement(By.id("start-training")).click();
        waitFor(Duration.ofMinutes(10), driver -> {
            String error = driver.findElement(By.id("training-error")).getText();
            if (!error.isEmpty() || driver.findElement(By.id("training-status")).getText().startsWith("FAILED")) {
                throw new AssertionError("training failed: " + error + " "
                        + driver.findElement(By.id("training-status")).getText());
            }
            return "100".equals(driver.findElement(By.id("training-progress")).getAttribute("value"))
                    && driver.findElement(By.id("training-status")).getText().startsWith("COMPLETED");
        });
        // evaluated (auto: the encoders are installed) at every validation step: the scorecard shows each
        waitFor(Duration.ofSeconds(30), driver -> !driver.findElements(By.cssSelector("#training-scores tbody tr"))
                .isEmpty());
        assertTrue(browser.findElement(By.id("training-scorecard")).isDisplayed(), "the scorecard is shown");
        assertEquals(1, browser.findElements(By.cssSelector("#training-scores tr.kept")).size(), "the kept step");
        assertTrue(browser.findElement(By.id("training-status")).getText().contains("the best by dino"),
                browser.findElement(By.id("training-status")).getText());
        screenshot("training");

        // 3. generate with the adapter, which brings its token: the image appears in the gallery with its parameters
        waitFor(Duration.ofSeconds(30), driver -> new Select(byLabel("Adapter")).getOptions().size() > 1);
        new Select(byLabel("Adapter")).selectByIndex(1);
        assertTrue(new Select(byLabel("Embedding")).getOptions().get(1).getText().startsWith("<rex>"),
                "the embedding picker offers the new token");
        new Select(byLabel("Base model", "generate-model")).selectByValue(MODEL);
        byLabel("Prompt").sendKeys("a photo of <rex> dog on the beach");
        setValue(byLabel("Seed"), "42");
        setValue(byLabel("Sampling steps"), "4");
        setValue(byLabel("Width"), "128");
        setValue(byLabel("Height"), "128");
        setValue(byLabel("UNet LoRA scale"), "0.8");
        browser.findElement(By.id("generate-button")).click();
        WebElement image = waitFor(Duration.ofMinutes(5), ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("img[alt='Generated image, seed 42']")));
        waitUntilLoaded(image);
        String gallery = browser.findElement(By.id("gallery-items")).getText();
        assertTrue(gallery.contains("a photo of <rex> dog on the beach") && gallery.contains("UNet 0.8"), gallery);
        screenshot("gallery");

        // 3b. the same with a ControlNet steering it: a photo, canny (its map previewed); its map appears beside the image
        new Select(byLabel("ControlNet")).selectByValue("canny-tiny");
        byLabel("Control image").sendKeys(photos.get(0));
        waitUntilLoaded(browser.findElement(By.id("control-preview")));
        new Select(byLabel("Preprocessor")).selectByValue("canny");
        WebElement map = browser.findElement(By.id("control-map-preview")); // detected by the gateway, 128 px as asked
        waitUntilLoaded(map);
        assertEquals(128L, ((JavascriptExecutor) browser).executeScript("return arguments[0].naturalWidth", map));
        setValue(byLabel("Control scale"), "1.5");
        setValue(byLabel("Control until (fraction of steps)"), "0.8");
        setValue(byLabel("Seed"), "43");
        browser.findElement(By.id("generate-button")).click();
        waitUntilLoaded(waitFor(Duration.ofMinutes(5), ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("img[alt='Generated image, seed 43']"))));
        waitUntilLoaded(waitFor(Duration.ofSeconds(30), ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("img[alt='Control map 0']"))));
        gallery = browser.findElement(By.id("gallery-items")).getText();
        assertTrue(gallery.contains("canny-tiny, canny, scale 1.5, steps 0–0.8"), gallery);
        screenshot("gallery-controlnet");

        // 3c. the newest generation scored against the training's photos: an evaluation job, answered by the sampler
        browser.findElements(By.cssSelector("form.score button")).get(0).click();
        waitFor(Duration.ofMinutes(2), driver -> driver.findElements(By.cssSelector("p.scores")).stream()
                .anyMatch(p -> p.getText().startsWith("DINO ")));
        String scores = browser.findElement(By.cssSelector("p.scores")).getText();
        assertTrue(scores.contains("CLIP-T") && scores.contains("(1 generated vs "), scores);

        // 3d. an experiment from the web client: two rank variants and the base model in one table and one sheet
        new Select(byLabel("Base model", "experiment-model")).selectByValue(MODEL);
        setValue(byLabel("Class noun", "experiment-class-noun"), "dog");
        setValue(byLabel("Training steps", "experiment-steps"), "2");
        setValue(byLabel("Training resolution", "experiment-resolution"), "64");
        WebElement experimentPrior = byLabel("Prior preservation", "experiment-prior");
        if (experimentPrior.isSelected()) {
            experimentPrior.click();
        }
        setValue(byLabel("Variants", "experiment-variants"), "rank=2; rank=4");
        setValue(byLabel("Prompts", "experiment-prompts"), "a photo of sks dog on the moon");
        setValue(byLabel("Sampling steps", "experiment-render-steps"), "2");
        browser.findElement(By.id("start-experiment")).click();
        waitFor(Duration.ofMinutes(5), driver -> {
            String error = driver.findElement(By.id("experiment-error")).getText();
            if (!error.isEmpty()) {
                throw new AssertionError("experiment refused: " + error);
            }
            return driver.findElements(By.cssSelector(".experiment-status")).stream()
                    .anyMatch(status -> status.getText().equals("COMPLETED"));
        });
        assertEquals(3, browser.findElements(By.cssSelector(".experiment-table tbody tr")).size(),
                "the base model and two variants");
        assertEquals(3, browser.findElements(By.cssSelector(".experiment-sheet img")).size(), "a sheet row each");
        waitUntilLoaded(browser.findElements(By.cssSelector(".experiment-sheet img")).get(2));
        String table = browser.findElement(By.cssSelector(".experiment-table")).getText();
        assertTrue(table.contains("rank=4") && table.contains("COMPLETED 100 %"), table);
        screenshot("experiment");

        // 4. another owner: nothing of rex-owner's in the browser, and 404 through the API
        String datasetId = browser.findElement(By.id("training-dataset")).getAttribute("value");
        String other = keys.create("someone-else", "browser test", "standard").keyText();
        browser.findElement(By.id("sign-out")).click();
        signIn(other);
        waitFor(Duration.ofSeconds(30), ExpectedConditions.textToBePresentInElementLocated(By.id("signed-in-as"),
                "someone-else"));
        assertEquals(0, browser.findElements(By.cssSelector("#dataset-list li")).size());
        assertEquals(0, browser.findElements(By.cssSelector("#gallery-items article")).size());
        given().baseUri(gateway).header("Authorization", "Bearer " + other).get("/api/v1/datasets/" + datasetId)
                .then().statusCode(404);
        given().baseUri(gateway).header("Authorization", "Bearer " + key).get("/api/v1/datasets/" + datasetId)
                .then().statusCode(200);
    }

    /**
     * The first screen's demo, as a newcomer meets it: the world subject's photos shown, one click uploads them, trains
     * a LoRA on booth-world and shows three prompts without and with it. Runs where the world model is committed.
     */
    @Test
    void aNewcomerTriesTheDemoSubjectAndSeesEachPromptBeforeAndAfter() throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(BoothHome.root().resolve("models/booth-world/model_index.json")),
                "no world model in this checkout");
        String key = new ApiKeyStore(settings.keysFile()).create("newcomer", "demo", "standard").keyText();
        browser.get(stack.url(Service.GATEWAY).toString());
        ((JavascriptExecutor) browser).executeScript("sessionStorage.clear()");   // whoever signed in before
        browser.navigate().refresh();
        signIn(key);
        WebElement demo = waitFor(Duration.ofSeconds(30), ExpectedConditions.visibilityOfElementLocated(By.id("demo")));
        List<WebElement> photos = demo.findElements(By.cssSelector("#demo-photos img"));
        assertEquals(5, photos.size(), "the subject's photos");
        photos.forEach(BrowserIT::waitUntilLoaded);

        browser.findElement(By.id("try-demo")).click();
        waitFor(Duration.ofMinutes(15), driver -> {
            String error = driver.findElement(By.id("demo-error")).getText();
            if (!error.isEmpty()) {
                throw new AssertionError("the demo failed: " + error);
            }
            return driver.findElement(By.id("demo-status")).getText().startsWith("Done");
        });
        List<WebElement> rows = browser.findElements(By.cssSelector("#demo-results tbody tr"));
        assertEquals(3, rows.size(), "three prompts");
        for (WebElement row : rows) {
            List<WebElement> images = row.findElements(By.tagName("img"));
            assertEquals(2, images.size(), "before and after: " + row.getText());
            images.forEach(BrowserIT::waitUntilLoaded);
            double change = meanDifference(ImageIO.read(new java.net.URL(images.get(0).getAttribute("src"))),
                    ImageIO.read(new java.net.URL(images.get(1).getAttribute("src"))));
            assertTrue(change > 0.02, "the LoRA changes the image (mean |before - after| " + change + "): "
                    + row.getText());
        }
        assertTrue(rows.get(0).getText().contains("sks star"), rows.get(0).getText());
        screenshot("demo");
    }

    /** Mean absolute difference of two same-sized images' RGB, 0..1 (what the page shows, read as the browser did). */
    private static double meanDifference(BufferedImage a, BufferedImage b) {
        assertEquals(a.getWidth(), b.getWidth());
        double sum = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                int p = a.getRGB(x, y);
                int q = b.getRGB(x, y);
                for (int shift = 0; shift <= 16; shift += 8) {
                    sum += Math.abs((p >> shift & 0xFF) - (q >> shift & 0xFF));
                }
            }
        }
        return sum / (3.0 * 255 * a.getWidth() * a.getHeight());
    }

    private static void signIn(String key) {
        WebElement field = waitFor(Duration.ofSeconds(30), ExpectedConditions.visibilityOfElementLocated(
                By.id("api-key")));
        field.clear();
        field.sendKeys(key);
        browser.findElement(By.cssSelector("#sign-in-form button[type=submit]")).click();
    }

    /** The form control a visible label names (the page's accessible names are what a user sees). */
    private static WebElement byLabel(String text) {
        List<WebElement> labels = browser.findElements(By.xpath("//label[normalize-space(.)='" + text + "']"));
        if (labels.isEmpty()) {
            throw new AssertionError("no label '" + text + "'");
        }
        return browser.findElement(By.id(labels.get(0).getAttribute("for")));
    }

    private static WebElement byLabel(String text, String id) {
        WebElement field = browser.findElement(By.id(id));
        assertEquals(text, browser.findElement(By.cssSelector("label[for='" + id + "']")).getText());
        return field;
    }

    private static void setValue(WebElement field, String value) {
        field.clear();
        field.sendKeys(value);
    }

    private static <T> T waitFor(Duration timeout, java.util.function.Function<WebDriver, T> condition) {
        // the pages re-render lists while they poll: an element read as it is replaced is read again next time
        return new WebDriverWait(browser, timeout, Duration.ofMillis(250))
                .ignoring(StaleElementReferenceException.class).until(condition::apply);
    }

    private static void waitUntilLoaded(WebElement image) {
        waitFor(Duration.ofSeconds(30), driver -> (Boolean) ((JavascriptExecutor) driver).executeScript(
                "return arguments[0].complete && arguments[0].naturalWidth > 0", image));
    }

    private static void screenshot(String name) throws Exception {
        Path target = BoothHome.root().resolve("deploy/target/browser-" + name + ".png");
        Files.createDirectories(target.getParent());
        Files.write(target, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }

    /** Distinct photo-like PNGs (different shapes and colours, so none is a near-duplicate of another). */
    private static List<String> photos(int count) throws Exception {
        List<String> paths = new ArrayList<>();
        Random random = new Random(7);
        for (int i = 0; i < count; i++) {
            BufferedImage image = new BufferedImage(640 + 16 * i, 560, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = image.createGraphics();
            for (int y = 0; y < image.getHeight(); y += 8) {
                for (int x = 0; x < image.getWidth(); x += 8) {
                    g.setColor(new Color(random.nextInt(256), random.nextInt(256), random.nextInt(256)));
                    g.fillRect(x, y, 8, 8);
                }
            }
            g.setColor(new Color(random.nextInt(256), random.nextInt(256), random.nextInt(256)));
            g.fillOval(40 * i, 30 * i, 300, 260);
            g.dispose();
            File file = data.resolve("rex-" + i + ".png").toFile();
            ImageIO.write(image, "png", file);
            paths.add(file.getAbsolutePath());
        }
        return paths;
    }
}
