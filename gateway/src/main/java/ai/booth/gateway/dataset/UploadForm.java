package ai.booth.gateway.dataset;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;

/** The multipart form of {@code POST /api/v1/datasets}, for the OpenAPI document (the body is read as a stream). */
@Schema(name = "DatasetUpload", description = "Photos of one subject and how to process them")
public record UploadForm(
        @Schema(description = "photos (JPEG, PNG, WebP, BMP) and/or zip archives of photos with optional caption"
                + " files (name.txt beside name.jpg); 1-100 files, images up to 40 MiB, archives up to 512 MiB,"
                + " 512 MiB in all", type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.ARRAY,
                format = "binary", required = true) List<byte[]> images,
        @Schema(description = "free-text description, e.g. my dog Rex") String subject,
        @Schema(description = "caption of images without a caption file, e.g. a photo of sks dog")
        String instancePrompt,
        @Schema(description = "face (default), centre or pad") String cropMode,
        @Schema(description = "output side, a multiple of 8 in 256-2048 (default 512)") Integer resolution,
        @Schema(description = "crop to the aspect bucket nearest each photo (default false)") Boolean aspectBuckets,
        @Schema(description = "keep the sharpest of near-duplicates (default true)") Boolean dropNearDuplicates,
        @Schema(description = "http(s) URL that receives the result as a signed POST") String callbackUrl) {
}
