# GPU image of a Booth worker (trainer-service or sampler-service): the service's Quarkus app on a JRE, over the
# official PyTorch CUDA runtime image, whose torch/lib holds libtorch 2.7.1 and the CUDA 12.8 / cuDNN 9 libraries.
# DJL's pytorch-jni 2.7.1-0.35.1 (already in the app's lib/) carries the matching cu128 JNI library; DJL is told to
# use the image's libtorch and never to download anything.
#
# The CPU images stay as they are (Jib, no Docker daemon, no CUDA): this image is only for the gpu-prod overlay.
#
# Build from the repository root, after packaging the service:
#   mvn -B -DskipTests package -pl trainer-service -am
#   docker build -f deploy/docker/worker-gpu.Dockerfile --build-arg SERVICE=trainer-service \
#     -t booth/trainer-service-gpu:0.1.0-SNAPSHOT .
# (the same with SERVICE=sampler-service -> booth/sampler-service-gpu). Not built or run in this repository's CI:
# it has no Docker daemon and no GPU.
ARG PYTORCH_IMAGE=pytorch/pytorch:2.7.1-cuda12.8-cudnn9-runtime
FROM ${PYTORCH_IMAGE}

ARG SERVICE
RUN test "$SERVICE" = trainer-service -o "$SERVICE" = sampler-service \
    || { echo "--build-arg SERVICE=trainer-service|sampler-service" >&2; exit 1; }

# A JRE for Quarkus (the base image is Ubuntu), headless, nothing else
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openjdk-17-jre-headless \
    && rm -rf /var/lib/apt/lists/*

# libtorch at a fixed path, and refuse a base image whose torch is not the one DJL's JNI library was built for
RUN python -c "import os, torch; \
assert torch.__version__.startswith('2.7.1'), torch.__version__; \
assert torch.version.cuda == '12.8', torch.version.cuda; \
print(os.path.join(os.path.dirname(torch.__file__), 'lib'))" > /tmp/torchlib \
    && ln -s "$(cat /tmp/torchlib)" /opt/libtorch && rm /tmp/torchlib \
    && test -e /opt/libtorch/libtorch_cuda.so

# The same non-root user as the Jib images (uid 185), so the manifests' securityContext fits both
RUN groupadd --gid 185 booth && useradd --uid 185 --gid 185 --no-create-home --home-dir /tmp booth

ENV PYTORCH_LIBRARY_PATH=/opt/libtorch \
    PYTORCH_VERSION=2.7.1 \
    PYTORCH_FLAVOR=cu128 \
    LD_LIBRARY_PATH=/opt/libtorch \
    DJL_OFFLINE=true \
    DJL_CACHE_DIR=/cache/djl \
    BOOTH_ENGINE_DEVICE=gpu \
    BOOTH_ENGINE_DTYPE=float16 \
    MALLOC_MMAP_THRESHOLD_=33554432 \
    MALLOC_TRIM_THRESHOLD_=68719476736 \
    THP_MEM_ALLOC_ENABLE=1 \
    HOME=/tmp

WORKDIR /deployments
COPY --chown=185:185 ${SERVICE}/target/quarkus-app/lib/ /deployments/lib/
COPY --chown=185:185 ${SERVICE}/target/quarkus-app/*.jar /deployments/
COPY --chown=185:185 ${SERVICE}/target/quarkus-app/app/ /deployments/app/
COPY --chown=185:185 ${SERVICE}/target/quarkus-app/quarkus/ /deployments/quarkus/

USER 185
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=25", "-Dai.djl.offline=true", "-Djava.io.tmpdir=/tmp", \
            "-jar", "/deployments/quarkus-run.jar"]
