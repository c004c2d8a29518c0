# The benchmark runner of submit/omnispark (`submit/omnispark bench NAME ARGS`); sourced by it, with ROOT, STATE,
# die, quiet and build_flavour defined. Benchmarks and their arguments: docs/benchmarks.md.

# bench NAME ARGS: builds the module's test classes and runs its benchmark class with the right classpath.
run_bench() {
  local name=${1:-} module class profile=() flavour=cpu
  shift || true
  case "$name" in
    fbank) module=data-pipeline; class=org.omnispark.data.features.FbankBenchmark ;;
    resample) module=data-pipeline; class=org.omnispark.data.audio.ResamplerBenchmark ;;
    prepare) module=data-pipeline; class=org.omnispark.data.job.PrepareBenchmark ;;
    prepare-codecs) module=data-pipeline; class=org.omnispark.data.job.PrepareCodecBenchmark ;;
    moe) module=trainer; class=org.omnispark.trainer.moe.MoeBenchmark ;;
    encoder) module=trainer; class=org.omnispark.trainer.encoder.EncoderBenchmark ;;
    step) module=trainer; class=org.omnispark.trainer.loop.TrainStepBenchmark ;;
    rtf) module=trainer; class=org.omnispark.trainer.eval.RtfBenchmark ;;
    exchange) module=expert-parallel; class=org.omnispark.expertparallel.ExchangeBenchmark ;;
    step-distributed) module=expert-parallel; class=org.omnispark.expertparallel.spark.StepTimeBenchmark ;;
    distributed-path) module=expert-parallel; class=org.omnispark.expertparallel.DistributedPathBenchmark ;;
    gpu) module=expert-parallel; class=org.omnispark.expertparallel.GpuBenchmark
      # on a GPU: no CPU natives on the classpath, DJL loads the CUDA libtorch (docs/benchmarks.md, 'GPU')
      if [ "${1:-}" != --cpu-smoke ]; then
        flavour=$(OMNISPARK_LIBTORCH=${OMNISPARK_LIBTORCH:-cuda} build_flavour)
        [ "$flavour" = cuda ] || die "bench gpu needs a CUDA libtorch: leave OMNISPARK_LIBTORCH unset or set it to cuda or cu126 (or run: bench gpu --cpu-smoke)"
        profile=(-Dlibtorch=cuda)
        export PYTORCH_VERSION="${PYTORCH_VERSION:-2.7.1}"
        case "${OMNISPARK_LIBTORCH:-cuda}" in cu[0-9][0-9][0-9]) export PYTORCH_FLAVOR="${PYTORCH_FLAVOR:-$OMNISPARK_LIBTORCH}" ;; esac
        # cu128 by default here: DJL's pytorch-jni 2.7.1-0.35.1 jar carries the cu128 JNI bridge, so an offline GPU
        # machine needs only a CUDA 12.8 libtorch 2.7.1 at PYTORCH_LIBRARY_PATH (cu126 makes DJL download its bridge)
        export PYTORCH_FLAVOR="${PYTORCH_FLAVOR:-cu128}"
        [ "$PYTORCH_VERSION" = 2.7.1 ] || die "PYTORCH_VERSION must be 2.7.1 (DJL 0.35.1's JNI bridge), got $PYTORCH_VERSION"
      fi ;;
    *) die "bench needs one of: fbank resample prepare prepare-codecs moe encoder step rtf exchange step-distributed distributed-path gpu (arguments: see docs/benchmarks.md)" ;;
  esac
  mkdir -p "$STATE"
  echo "omnispark: building $module and its test classes..." >&2
  (cd "$ROOT" && mvn -B -q -ntp -Dstyle.color=never install -DskipTests "${profile[@]}" -pl "$module" -am \
     && mvn -B -q -ntp -Dstyle.color=never test-compile dependency:build-classpath "${profile[@]}" -pl "$module" \
          -Dmdep.outputFile="$STATE/bench-$module-$flavour.classpath" -DincludeScope=test) > "$STATE/build.log" 2>&1 \
    || { tail -30 "$STATE/build.log" >&2; die "build failed (log: $STATE/build.log)"; }
  # what the launcher gives every libtorch JVM (NativeAllocator): large tensors on transparent huge pages
  export GLIBC_TUNABLES="${GLIBC_TUNABLES-glibc.malloc.hugetlb=1}"
  local opens
  opens=$(sed -n 's:.*<jvm.opens>\(.*\)</jvm.opens>.*:\1:p' "$ROOT/pom.xml")
  # shellcheck disable=SC2086
  quiet java $opens -Dlog4j2.configurationFile="$ROOT/conf/log4j2${OMNISPARK_VERBOSE:+-verbose}.properties" ${OMNISPARK_JAVA_OPTS:--Xmx8g} \
    -cp "$ROOT/$module/target/classes:$ROOT/$module/target/test-classes:$(cat "$STATE/bench-$module-$flavour.classpath")" \
    "$class" "$@"
}
