# dssim_cli_test(NAME EXPECTED_EXIT_CODE REGEX ARGS...)

# Every shipped scenario's output is a golden test (tests/golden); these check single features.
dssim_cli_test(serving_json 0 "\"ttft_s\": \\{" scenarios/serving/7b_h200_chunked_mooncake.toml --format json --quiet)
dssim_cli_test(serving_csv 0 "tpot_s.p99," scenarios/serving/7b_h200_chunked_mooncake.toml --format csv --quiet)
add_test(NAME cli.serving_outputs COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/serving_outputs.sh $<TARGET_FILE:dssim>
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.serving_outputs PROPERTIES LABELS integration ENVIRONMENT "DSSIM_DATA_DIR=${PROJECT_SOURCE_DIR}")

# Serving: bad input
dssim_cli_test(bad_trace_row 1 "bad_trace.csv:4" tests/integration/cases/bad_trace.toml --quiet)
dssim_cli_test(bad_trace_missing 1 "no_such_trace.csv: no such file" tests/integration/cases/bad_trace.toml --quiet --set workload.file=no_such_trace.csv)
dssim_cli_test(bad_trace_format 1 "did you mean 'azure'" tests/integration/cases/bad_trace.toml --quiet --set workload.format=azur)
dssim_cli_test(bad_policy 1 "unknown policy 'continous'.*did you mean 'continuous'" scenarios/serving/7b_h200_continuous_poisson.toml --set serving.policy=continous)
dssim_cli_test(bad_replicas 1 "data_parallel \\(replicas\\) = 4 needs 4 GPUs; the platform has 1" scenarios/serving/7b_h200_continuous_poisson.toml --quiet --set serving.replicas=4)
dssim_cli_test(bad_rate 1 "rate_per_s' \\(from --set\\): expected a number in \\[1e-09" scenarios/serving/7b_h200_continuous_poisson.toml --set workload.rate_per_s=-2)
dssim_cli_test(bad_length_dist 1 "prompt_tokens.dist' \\(from --set\\): 'normal' is not one of" scenarios/serving/7b_h200_continuous_poisson.toml --set workload.prompt_tokens.dist=normal)
dssim_cli_test(bad_timeline_fixed 1 "need a request stream" scenarios/33b_a100.toml --timeline /tmp/dssim_x.json)
dssim_cli_test(serving_does_not_fit 2 "max_batch <= [0-9]+" scenarios/serving/g5_7b_adaptive.toml --quiet --set serving.max_batch=64 --set workload.prompt_tokens.max=3000)

dssim_cli_test(help 0 "Usage" --help)
# Progress into a log file: whole lines, no carriage returns.
add_test(NAME cli.progress_in_logs COMMAND bash -c "set -e; d=$(mktemp -d); $<TARGET_FILE:dssim> sweep scenarios/sweeps/33b_gpus_batches.toml --out $d/o > /dev/null 2> $d/log; grep -q '^dssim: sweep 40/40 points' $d/log; if grep -q $'\\r' $d/log; then echo carriage return in the log; exit 1; fi; rm -rf $d; echo ok"
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.progress_in_logs PROPERTIES LABELS integration ENVIRONMENT "DSSIM_DATA_DIR=${PROJECT_SOURCE_DIR}")

add_test(NAME cli.readme_commands COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/readme_commands.sh $<TARGET_FILE:dssim>
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.readme_commands PROPERTIES LABELS integration ENVIRONMENT "DSSIM_DATA_DIR=${PROJECT_SOURCE_DIR}")

# Every subcommand answers --help (its usage and options, exit 0); a misspelt command or flag gets "did you mean".
foreach(cmd predict list roi sweep study comm shapes calibrate validate help)
  dssim_cli_test(help_${cmd} 0 "^  dssim ${cmd} " ${cmd} --help)
endforeach()
dssim_cli_test(help_scenario 0 "^  dssim SCENARIO.toml .*--set section.key=value" scenarios/33b_a100.toml --help)
dssim_cli_test(bad_command_typo 1 "unknown command 'predcit' \\(did you mean 'predict'\\?\\); a scenario is a .toml file" predcit --model deepseek-llm-7b)
dssim_cli_test(bad_flag_typo 1 "unrecognised option '--modle'; did you mean '--model'\\? \\(see dssim predict --help\\)" predict --modle deepseek-llm-7b --gpu h200-sxm)
dssim_cli_test(bad_scenario_flag_typo 1 "unrecognised option '--fromat'; did you mean '--format'" scenarios/33b_a100.toml --fromat json)

dssim_cli_test(version 0 "dssim [0-9]+\\.[0-9]+" --version)
dssim_cli_test(list_models 0 "deepseek-v3" list models)
dssim_cli_test(list_gpus 0 "h200-sxm.*calibrated" list gpus)
dssim_cli_test(list_gpus_formats 0 "^t4 .* 65\\.0 TFLOP/s fp16 +8-bit: int8 " list gpus)
dssim_cli_test(list_nodes 0 "dgx-8xh100-sxm +8 x h100-sxm +nvswitch per-GPU NICs 400 Gb/s each" list nodes)
dssim_cli_test(list_scenarios 0 "33b_a100.toml" list scenarios)
dssim_cli_test(predict_text 0 "time per output token" predict --model deepseek-llm-7b --gpu h200-sxm)
dssim_cli_test(predict_json 0 "\"decode_step_s\"" predict --model deepseek-coder-33b --gpu h200-sxm --batch 8 --prompt 512 --format json)
dssim_cli_test(predict_tp2 0 "TP 2 over nvswitch" predict --model deepseek-llm-67b --gpu h100-sxm --tp 2 --batch 4)
dssim_cli_test(predict_ep_pp 0 "8 x a100-40g-sxm .*TP 2, EP 4 \\(data-parallel attention x2\\), PP 2" predict --model deepseek-v2-lite --gpu a100-40g-sxm --tp 2 --ep 4 --pp 2 --batch 16)
dssim_cli_test(predict_bad_pp 1 "--pp must be in \\[1, 4096\\], got 0" predict --model deepseek-v2-lite --gpu a100-40g-sxm --pp 0)
dssim_cli_test(set_override 0 "batch 2, prompt 1024" scenarios/33b_a100.toml --set workload.batch=2)
dssim_cli_test(set_override_named 0 "^  changed by --set workload.batch=2, --set platform.gpu=h100-sxm$" scenarios/33b_a100.toml --set workload.batch=2 --set platform.gpu=h100-sxm)
dssim_cli_test(set_override_json 0 "\"overrides\": \\[" scenarios/serving/7b_h200_continuous_poisson.toml --set serving.max_batch=16 --format json --quiet)

# Bad input: one clear line, a non-zero exit code, never a crash.
dssim_cli_test(bad_missing_file 1 "no such file" tests/integration/cases/does_not_exist.toml)
dssim_cli_test(bad_toml_syntax 1 "syntax_error.toml:[0-9]+:[0-9]+: TOML syntax error" tests/integration/cases/syntax_error.toml)
dssim_cli_test(bad_toml_nonascii_outside_string 1 "nonascii_outside_string.toml:2:18: a non-ASCII character outside a string or comment" tests/integration/cases/nonascii_outside_string.toml)
dssim_cli_test(bad_toml_nonascii_after_backslash 1 "nonascii_after_backslash.toml:4:1: a non-ASCII character right after a backslash in a string: write it as .uXXXX" tests/integration/cases/nonascii_after_backslash.toml)
dssim_cli_test(set_nonascii_bare_word 0 "dssim 0.1.0 \\| donn" scenarios/33b_a100.toml --set name=données)
dssim_cli_test(bad_unknown_key 1 "unknown_key.toml:[0-9]+: unknown key 'serving.max_bach'; did you mean 'max_batch'" tests/integration/cases/unknown_key.toml)
dssim_cli_test(bad_wrong_type 1 "wrong_type.toml:[0-9]+: key 'workload.batch': expected an integer" tests/integration/cases/wrong_type.toml)
dssim_cli_test(bad_negative_batch 1 "negative_batch.toml:[0-9]+: key 'workload.batch': expected an integer in \\[1" tests/integration/cases/negative_batch.toml)
dssim_cli_test(bad_unknown_model 1 "unknown model 'deepseek-llm-13b'" tests/integration/cases/unknown_model.toml)
dssim_cli_test(bad_unknown_gpu 1 "unknown GPU 'h100-sxm5'.*did you mean 'h100-sxm'" tests/integration/cases/unknown_gpu.toml)
dssim_cli_test(bad_does_not_fit 2 "does not fit.*would fit" tests/integration/cases/does_not_fit.toml)
dssim_cli_test(bad_precision 1 "unknown precision 'bf61'" tests/integration/cases/bad_precision.toml)
dssim_cli_test(bad_tp_heads 1 "tensor_parallel = 3 does not divide" predict --model deepseek-llm-7b --gpu h100-sxm --tp 3 --count 4)
dssim_cli_test(bad_set_key 1 "33b_a100.toml \\(--set\\): unknown key 'workload.batchh'; did you mean 'batch'" scenarios/33b_a100.toml --set workload.batchh=4)
dssim_cli_test(bad_predict_batch 1 "--batch must be in \\[1, 1048576\\], got -3" predict --model deepseek-llm-7b --gpu h200-sxm --batch -3)
dssim_cli_test(bad_predict_option 1 "unrecognised option|unrecognized option" predict --model deepseek-llm-7b --gpu h200-sxm --bach 3)
dssim_cli_test(bad_predict_missing 1 "--gpu.*required|required.*gpu" predict --model deepseek-llm-7b)
dssim_cli_test(bad_predict_tf32_weights 1 "--weights: tf32 is a compute mode, not a storage format; use fp32" predict --model deepseek-llm-7b --gpu h200-sxm --weights tf32)
dssim_cli_test(bad_predict_int4_kv 1 "--kv-cache: KV cache precision must be fp32, bf16, fp16, fp8 or int8, not int4" predict --model deepseek-llm-7b --gpu h200-sxm --kv-cache int4)
dssim_cli_test(bad_format 1 "--format 'xml'" predict --model deepseek-llm-7b --gpu h200-sxm --format xml)
dssim_cli_test(bad_list 1 "expected models, gpus, nodes or scenarios" list cars)
dssim_cli_test(context_beyond_trained 0 "warning: 4199 tokens per sequence exceed deepseek-llm-7b's trained context of 4096" predict --model deepseek-llm-7b --gpu h200-sxm --prompt 4000 --output 200)
dssim_cli_test(prefill_at_trained_limit 0 "\"prefill_s\"" predict --model deepseek-llm-7b --gpu h200-sxm --prompt 4096 --output 1 --context 4095 --format json)

# Calibration helpers
dssim_cli_test(shapes 0 "deepseek-llm-7b_gate_up,22016,4096" shapes --model deepseek-llm-7b)
dssim_cli_test(bad_shapes_tp 1 "tensor_parallel = 7 does not divide deepseek-v3's 128 attention heads; valid tensor_parallel here: 1, 2, 4, 8, 16, 32, 64, 128" shapes --model deepseek-v3 --tp 7)
dssim_cli_test(calibrate_json 0 "\"cv_median_abs_rel_err\"" calibrate --gpu h200-sxm --data validation/data/h200 --format json)
dssim_cli_test(bad_calibrate_dir 1 "--data /nonexistent: no such folder" calibrate --gpu h200-sxm --data /nonexistent)
dssim_cli_test(bad_calibrate_missing_csv 1 "missing bandwidth.csv in tests/integration/cases" calibrate --gpu h200-sxm --data tests/integration/cases)
add_test(NAME cli.bad_catalog COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/bad_catalog.sh $<TARGET_FILE:dssim>
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.bad_catalog PROPERTIES LABELS integration)
add_test(NAME cli.calibrate_bad_data COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/calibrate_bad_data.sh $<TARGET_FILE:dssim>
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.calibrate_bad_data PROPERTIES LABELS integration ENVIRONMENT "DSSIM_DATA_DIR=${PROJECT_SOURCE_DIR}")

# Power and thermal
file(GLOB DSSIM_POWER_SCENARIOS RELATIVE ${PROJECT_SOURCE_DIR} CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/scenarios/power/*.toml)
foreach(s ${DSSIM_POWER_SCENARIOS})
  get_filename_component(n ${s} NAME_WE)
  dssim_cli_test(power.${n} 0 "Steady state|Power and temperature" ${s} --quiet)
endforeach()
dssim_cli_test(power_decode_heavy_no_throttle 0 "\"throttled_fraction\": 0,$" scenarios/serving/7b_h200_continuous_poisson.toml --quiet --format json --set workload.prompt_tokens=64 --set workload.output_tokens=512)
dssim_cli_test(power_prefill_heavy_throttles 0 "\"throttled_fraction\": (1|0\\.9[0-9]*),$" scenarios/serving/7b_h200_continuous_poisson.toml --quiet --format json --set workload.prompt_tokens=3000 --set workload.output_tokens=1)
dssim_cli_test(power_gemm_burn_json 0 "\"time_to_limit_s\": 0\\.9" scenarios/power/h200_gemm_burn.toml --format json)
dssim_cli_test(power_copy_burn_never_limited 0 "\"time_to_limit_s\": null" scenarios/power/h200_copy_burn.toml --format json)
dssim_cli_test(bad_thermal_csv_fixed 1 "--thermal-csv needs a serving or burn workload" scenarios/33b_a100.toml --thermal-csv /tmp/x.csv)
dssim_cli_test(bad_cooling 1 "unknown cooling profile 'datacentre-air'.*did you mean 'datacenter-air'" scenarios/power/h200_gemm_burn.toml --set environment.cooling=datacentre-air)
dssim_cli_test(bad_burn_dtype 1 "workload.dtype.*'bf17' is not one of" scenarios/power/h200_gemm_burn.toml --set workload.dtype=bf17)

# Finance: dssim roi
add_test(NAME cli.roi_outputs COMMAND bash -c "set -e; d=$(mktemp -d); $<TARGET_FILE:dssim> roi scenarios/33b_article_roi.toml --out $d/out --format json > $d/s.json; awk -F': ' '/\"break_even_months\"/ && !seen { v = $2 + 0; seen = 1 } END { exit !(v > 20.8 && v < 21.0) }' $d/s.json; head -1 $d/out/break_even.csv | grep -qxE 'month,onprem_cumulative_usd,cloud_cumulative_usd(,(onprem|cloud)_usd_at_[0-9]+_pct){4}'; awk -F': ' '/\"break_even_months\"/ && !b { b = $2 + 0 } /break_even_months_at_low/ { lo = ($2 ~ /null/) ? 1e9 : $2 + 0 } /break_even_months_at_high/ { hi = $2 + 0 } END { exit !(hi < b && b < lo) }' $d/s.json; [ $(wc -l < $d/out/break_even.csv) -eq 38 ]; [ $(wc -l < $d/out/sensitivity.csv) -eq 8 ]; test -f $d/out/break_even.gp; echo ok"
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.roi_outputs PROPERTIES LABELS integration ENVIRONMENT "DSSIM_DATA_DIR=${PROJECT_SOURCE_DIR}")
dssim_cli_test(roi_text 0 "Sensitivity \\(each input alone\\)" roi scenarios/33b_a100.toml --out ${CMAKE_CURRENT_BINARY_DIR}/roi_text --force)
# The hybrid table: one row per owned-GPU count, exactly one marked cheapest, and it has the lowest monthly total
add_test(NAME cli.roi_serving COMMAND bash -c "set -e; d=$(mktemp -d); $<TARGET_FILE:dssim> roi scenarios/serving/g5_7b_continuous.toml --out $d/out --set serving.slo_ttft_s=100 --set serving.slo_tpot_s=0.1 > $d/o; [ $(grep -cE 'GPUs? +owned:' $d/o) -ge 3 ]; awk '/GPUs? +owned:/ { for (i = 1; i <= NF; i++) if ($i == \"per\") t = $(i - 1) + 0; if (min == \"\" || t < min) min = t; if (/<- cheapest/) { m = t; n++ } } END { exit !(n == 1 && m == min) }' $d/o; rm -rf $d; echo ok"
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.roi_serving PROPERTIES LABELS integration ENVIRONMENT "DSSIM_DATA_DIR=${PROJECT_SOURCE_DIR}")
dssim_cli_test(bad_roi_no_cost 1 "dssim roi needs a \\[cost\\] table" roi scenarios/serving/7b_h200_continuous_poisson.toml --out ${CMAKE_CURRENT_BINARY_DIR}/roi_bad)
# Verdicts: an overloaded run or a missed SLO says so first, in every format, and marks its money figures.
dssim_cli_test(verdict_overload_text 0 "^Verdict   DOES NOT KEEP UP: requests arrive at 1.92/s, it completes 1.28/s" scenarios/serving/g5_7b_continuous.toml --quiet)
dssim_cli_test(verdict_overload_json 0 "\"keeps_up\": false" scenarios/serving/g5_7b_continuous.toml --quiet --format json)
dssim_cli_test(verdict_overload_csv 0 "^keeps_up,false$" scenarios/serving/g5_7b_continuous.toml --quiet --format csv)
dssim_cli_test(verdict_overload_money 0 "^  NOT KEEPING UP: these figures are for a deployment that cannot serve this traffic$" scenarios/serving/g5_7b_continuous.toml --quiet)
add_test(NAME cli.verdict_overload_html COMMAND bash -c "set -e; d=$(mktemp -d); $<TARGET_FILE:dssim> roi scenarios/serving/g5_7b_continuous.toml --out $d/r > $d/out; grep -q '^  DOES NOT KEEP UP' $d/out; grep -q 'color:#b00\"><b>DOES NOT KEEP UP: requests arrive' $d/r/report.html; rm -rf $d; echo ok"
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.verdict_overload_html PROPERTIES LABELS integration ENVIRONMENT "DSSIM_DATA_DIR=${PROJECT_SOURCE_DIR}")
dssim_cli_test(verdict_keeps_up 0 "^Verdict   no SLO set; keeps up with its traffic$" scenarios/serving/7b_h200_continuous_poisson.toml --quiet)
dssim_cli_test(verdict_slo_met 0 "^Verdict   meets its 2 SLO targets; keeps up with its traffic$" scenarios/serving/7b_h200_continuous_poisson.toml --quiet --set slo.ttft_p99_s=100 --set slo.tpot_p50_s=1)
dssim_cli_test(verdict_slo_missed 0 "^Verdict   MISSES SLO: ttft_p99_s [0-9.]+ ms > 1.0 ms target" scenarios/serving/7b_h200_continuous_poisson.toml --quiet --set slo.ttft_p99_s=0.001)
dssim_cli_test(verdict_slo_fixed 0 "^Verdict   MISSES SLO: tpot_p50_s 43.[0-9] ms > 10.0 ms target" scenarios/33b_a100.toml --set slo.tpot_p50_s=0.01)
dssim_cli_test(verdict_goodput 0 "goodput_fraction +[0-9.]+ %   target >= 50.0 %" scenarios/serving/7b_h200_continuous_poisson.toml --quiet --set serving.slo_ttft_s=0.5 --set slo.goodput_fraction=0.5)
dssim_cli_test(bad_goodput_without_targets 1 "goodput_fraction is the share of requests meeting \\[serving\\] slo_ttft_s and slo_tpot_s" scenarios/serving/7b_h200_adaptive_gamma.toml --set slo.goodput_fraction=0.9)
dssim_cli_test(bad_slo_key 1 "unknown key 'slo.ttft_p95_s'; did you mean" scenarios/serving/7b_h200_continuous_poisson.toml --set slo.ttft_p95_s=1)

# recommend: the cheapest configurations that meet the SLOs, why the others fail, how to launch the choice.
dssim_cli_test(recommend_text 0 "^  1 x h100-sxm, TP 1 x 1 replica +\\$1\\.209 +\\$2\\.654 +\\$39,625" recommend tests/integration/cases/recommend_small.toml --quiet --jobs 2)
# The answer says which runtime priced it (the launch lines are fused engines'), and stays silent when
# that runtime's kernels are fused too ("fused"; "compiled", TensorRT-LLM's).
dssim_cli_test(recommend_runtime_line 0 "^  Priced with the 'pytorch' runtime \\(platforms/runtimes/pytorch\\.toml\\)\\. The launch lines below run vLLM's and SGLang's own fused kernels" recommend tests/integration/cases/recommend_small.toml --quiet --jobs 2)
add_test(NAME cli.recommend_runtime_fused COMMAND bash -c "out=$($<TARGET_FILE:dssim> recommend tests/integration/cases/recommend_small.toml --quiet --jobs 2 --set serving.runtime=fused --format json); echo \"$out\" | grep -q '\"runtime\": \"fused\"' && ! $<TARGET_FILE:dssim> recommend tests/integration/cases/recommend_small.toml --quiet --jobs 2 --set serving.runtime=fused | grep -q 'Priced with' && echo quiet"
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.recommend_runtime_fused PROPERTIES LABELS integration ENVIRONMENT "DSSIM_DATA_DIR=${PROJECT_SOURCE_DIR}" PASS_REGULAR_EXPRESSION "^quiet")
add_test(NAME cli.recommend_runtime_compiled COMMAND bash -c "! $<TARGET_FILE:dssim> recommend tests/integration/cases/recommend_small.toml --quiet --jobs 2 --set serving.runtime=compiled | grep -q 'Priced with' && echo quiet"
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.recommend_runtime_compiled PROPERTIES LABELS integration ENVIRONMENT "DSSIM_DATA_DIR=${PROJECT_SOURCE_DIR}" PASS_REGULAR_EXPRESSION "^quiet")
dssim_cli_test(recommend_launch 0 "^  vllm serve deepseek-ai/deepseek-llm-7b-base --tensor-parallel-size 1 --max-num-seqs 64" recommend tests/integration/cases/recommend_small.toml --quiet)
dssim_cli_test(recommend_launch_dtype_half 0 "^  vllm serve deepseek-ai/deepseek-llm-7b-base --tensor-parallel-size 2 --dtype half --max-num-seqs 64" recommend tests/integration/cases/recommend_t4.toml --quiet --set workload.rate_per_s=0.3 --set slo.ttft_p99_s=30)
dssim_cli_test(recommend_why 0 "^  over the budget +2, e.g. 2 x h100-sxm" recommend tests/integration/cases/recommend_small.toml --quiet)
dssim_cli_test(recommend_inferred 0 "0 pruned by closed forms, 1 settled by a larger layout that does not keep up, 5 simulated" recommend tests/integration/cases/recommend_small.toml --quiet)
add_test(NAME cli.recommend_chart COMMAND bash -c "set -e; d=$(mktemp -d); $<TARGET_FILE:dssim> recommend tests/integration/cases/recommend_small.toml --quiet --out $d/r > /dev/null; grep -q ',1,1,1x h100-sxm TP1 bf16$' $d/r/recommend_chart.csv; grep -q 'set title \"Cheapest that meets the SLOs: 1x h100-sxm TP1 bf16 at' $d/r/recommend.gp; rm -rf $d; echo ok"
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.recommend_chart PROPERTIES LABELS integration ENVIRONMENT "DSSIM_DATA_DIR=${PROJECT_SOURCE_DIR}")
dssim_cli_test(recommend_json 0 "\"qualifying\": 1," recommend tests/integration/cases/recommend_small.toml --quiet --format json)
# recommend's JSON has no golden (its wall time varies): its keys are checked against docs/json.md here.
add_test(NAME cli.recommend_json_schema COMMAND bash -c "set -e; d=$(mktemp -d); $<TARGET_FILE:dssim> recommend tests/integration/cases/recommend_small.toml --quiet --format json > $d/r.json; $<TARGET_FILE:dssim_golden> schema $d/r.json; rm -rf $d"
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.recommend_json_schema PROPERTIES LABELS integration ENVIRONMENT "DSSIM_DATA_DIR=${PROJECT_SOURCE_DIR}" PASS_REGULAR_EXPRESSION "kinds .*recommend")
dssim_cli_test(recommend_none 1 "No configuration meets the SLOs" recommend tests/integration/cases/recommend_small.toml --quiet --set slo.ttft_p99_s=0.001)
dssim_cli_test(bad_recommend_fixed_base 1 "dssim recommend needs a request stream" recommend tests/integration/cases/recommend_fixed.toml)
dssim_cli_test(bad_recommend_no_search 1 "recommend_no_search.toml: missing required table \\[search\\]" recommend tests/integration/cases/recommend_no_search.toml)
dssim_cli_test(bad_recommend_gpus 1 "recommend_bad_gpus.toml:[0-9]+: key 'search.gpus': expected integers in \\[1, 4096\\]" recommend tests/integration/cases/recommend_bad_gpus.toml)
dssim_cli_test(bad_recommend_gpu_id 1 "unknown GPU 'h300'" recommend tests/integration/cases/recommend_bad_gpu_id.toml)

dssim_cli_test(npv_line 0 "^  NPV of buying +\\$14,14[0-9] at 8 %/year over 36 months; IRR 50.[0-9] %/year$" scenarios/33b_a100.toml)
dssim_cli_test(npv_discount 0 "^  NPV of buying +\\$10,[0-9]+ at 15 %/year" scenarios/33b_a100.toml --set cost.discount_rate=0.15)
dssim_cli_test(npv_never 0 "IRR none \\(the savings never repay the hardware\\)" scenarios/33b_a100.toml --set cost.cloud_usd_per_gpu_hour=0.01)

# Bring your own model: a Hugging Face config.json as a card, in predict and in scenarios.
dssim_cli_test(import_model 0 "^architecture = \"mixtral\"$" import-model tests/integration/cases/hf/mixtral-8x7b/config.json)
dssim_cli_test(import_model_id 0 "^id = \"my-v3\"$" import-model tests/integration/cases/hf/deepseek-v3/config.json --id my-v3)
dssim_cli_test(bad_import_arch 1 "field 'architectures' = \"GPT2LMHeadModel\" is not an architecture dssim models" import-model tests/integration/cases/hf/gpt2/config.json)
dssim_cli_test(bad_import_json 1 "broken/config.json: not JSON" import-model tests/integration/cases/hf/broken/config.json)
dssim_cli_test(bad_import_missing 1 "no_such/config.json: cannot read the file" import-model tests/integration/cases/hf/no_such/config.json)
dssim_cli_test(predict_hf_config 0 "^Model     mixtral-8x7b: 46.70 B parameters \\(12.88 B active\\)" predict --hf-config tests/integration/cases/hf/mixtral-8x7b/config.json --gpu h100-sxm --tp 2)
dssim_cli_test(bad_predict_model_and_hf 1 "needs exactly one of --model ID or --hf-config PATH" predict --model deepseek-llm-7b --hf-config tests/integration/cases/hf/mixtral-8x7b/config.json --gpu h100-sxm)
dssim_cli_test(scenario_hf_config 0 "^Model     mixtral-8x7b: 46.70 B" tests/integration/cases/hf_scenario.toml)
dssim_cli_test(bad_scenario_name_and_hf 1 "\\[model\\] needs exactly one of 'name' \\(a model card id\\) or 'hf_config'" scenarios/33b_a100.toml --set model.hf_config=x.json)

# The pictures state the decision and the answer, mark the crossover and the horizon, and label the tornado's bar ends.
add_test(NAME cli.roi_chart_scripts COMMAND bash -c "set -e; d=$(mktemp -d); $<TARGET_FILE:dssim> roi scenarios/33b_a100.toml --out $d/r > /dev/null; grep -q 'set title \"Buy or rent 1 x a100-80g-sxm for deepseek-coder-33b? Buying pays back after 20.4 months\"' $d/r/break_even.gp; grep -q 'set label 1 \"break-even 20.4 months\"' $d/r/break_even.gp; grep -q 'set label 2 \"horizon 36 months\"' $d/r/break_even.gp; grep -q 'with labels right' $d/r/sensitivity.gp; grep -q '^hardware price,\\$18.7k,\\$31.1k,' $d/r/sensitivity.csv; grep -q 'Made by dssim .* from <code>scenarios/33b_a100.toml</code>' $d/r/report.html; rm -rf $d; echo ok"
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.roi_chart_scripts PROPERTIES LABELS integration ENVIRONMENT "DSSIM_DATA_DIR=${PROJECT_SOURCE_DIR}")

# Prices: from platforms/prices.toml for the run's own GPU, each with its source; a file's price stays with its GPU.
dssim_cli_test(price_follows_gpu 0 "\"gpu_price_usd\": 30000," scenarios/33b_a100.toml --set platform.gpu=h100-sxm --format json --quiet)
dssim_cli_test(cloud_follows_gpu 0 "\"cloud_usd_per_gpu_hour\": 6.88," scenarios/33b_a100.toml --set platform.gpu=h100-sxm --format json --quiet)
# Cost lines beside the GPUs: the catalogue's server share for an HGX GPU, the scenario's own numbers,
# "not counted" where the catalogue has no row, and a bad value refused.
dssim_cli_test(price_server_row 0 "hardware +\\$39,625 .*: GPUs \\$30,000 \\+ servers \\$9,625" scenarios/33b_a100.toml --set platform.gpu=h100-sxm --quiet)
dssim_cli_test(price_cost_lines 0 "operations and staff +\\$2,500 per month \\(\\$500 \\+ \\$2,000\\)" scenarios/33b_a100.toml --set cost.server_usd_per_gpu=5000 --set cost.ops_usd_per_month=500 --set cost.staff_usd_per_month=2000 --quiet)
dssim_cli_test(price_server_not_counted 0 "not counted: no server price for rtx-4090" scenarios/7b_bf16_rtx4090.toml --quiet)
dssim_cli_test(bad_server_price 1 "key 'cost.server_usd_per_gpu' \\(from --set\\): expected a number in \\[0, 1e\\+08\\], got -1" scenarios/33b_a100.toml --set cost.server_usd_per_gpu=-1)
# CXL memory as the offload tier: only on a node that has expanders.
dssim_cli_test(bad_cxl_node 1 "host_memory = \"cxl\": node dgx-8xh100-sxm has no CXL memory expanders" scenarios/whatif/33b_h100x8_cxl_offload.toml --set platform.node=dgx-8xh100-sxm)
dssim_cli_test(cxl_offload_rate 0 "streams 3.95 GiB per GPU over PCIe at 12.6 GB/s \\(CXL memory: its share of the node's expanders\\)" scenarios/whatif/33b_h100x8_cxl_offload.toml --quiet)
dssim_cli_test(price_sources 0 "^ +platforms/prices.toml:[0-9]+: https://huggingface.co/hardware/a100 " scenarios/33b_a100.toml --quiet)
dssim_cli_test(price_missing_cloud 0 "n/a: no current aws on_demand cloud offer for h200-sxm.*spheron H200 SXM \\(on_demand\\)" scenarios/33b_a100.toml --set platform.gpu=h200-sxm --quiet)
dssim_cli_test(price_any_provider 0 "\\$4.54 per GPU-hour \\(spheron H200 SXM" scenarios/33b_a100.toml --set platform.gpu=h200-sxm --set cost.cloud_provider=any --quiet)
dssim_cli_test(price_cloud_gpu 0 "\\$1.006 per GPU-hour \\(aws g5.xlarge, a10g" scenarios/7b_bf16_rtx4090.toml --quiet)
dssim_cli_test(price_set_override 0 "\"source\": \"--set\"" scenarios/33b_a100.toml --set cost.gpu_price_usd=20000 --format json --quiet)
dssim_cli_test(bad_price_other_gpu 1 "33b_article_roi.toml:[0-9]+: key 'cost.cloud_usd_per_gpu_hour' is a price for the file's platform \\(gpu=a100-80g-sxm\\), but the run's platform is gpu=h100-sxm" scenarios/33b_article_roi.toml --set platform.gpu=h100-sxm)
dssim_cli_test(bad_cloud_provider 1 "cost.cloud_provider = \"amazon\" has no offers.*providers: any, aws" scenarios/33b_a100.toml --set cost.cloud_provider=amazon)
dssim_cli_test(bad_cloud_term 1 "cloud_term' \\(from --set\\): 'monthly' is not one of" scenarios/33b_a100.toml --set cost.cloud_term=monthly)
dssim_cli_test(bad_cloud_gpu 1 "unknown GPU 'a10x'" scenarios/33b_a100.toml --set cost.cloud_gpu=a10x)
dssim_cli_test(bad_electricity_row 1 "cost.electricity = \"us-ny\" is not in platforms/prices.toml \\(known: us-va-commercial" scenarios/33b_a100.toml --set cost.electricity=us-ny)
dssim_cli_test(bad_price_and_row 1 "give either pue or site, not both" scenarios/33b_a100.toml --set cost.pue=1.2 --set cost.site=hyperscale)
dssim_cli_test(bad_cloud_and_selector 1 "give either cloud_usd_per_gpu_hour or cloud_provider, not both" scenarios/33b_a100.toml --set cost.cloud_usd_per_gpu_hour=2 --set cost.cloud_provider=any)
dssim_cli_test(bad_roi_missing_price 1 "dssim roi needs every price: no current aws on_demand cloud offer for h200-sxm" roi scenarios/33b_a100.toml --set platform.gpu=h200-sxm --out ${CMAKE_CURRENT_BINARY_DIR}/roi_missing_price)
add_test(NAME cli.sweep_prices COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/sweep_prices.sh $<TARGET_FILE:dssim>
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.sweep_prices PROPERTIES LABELS integration ENVIRONMENT "DSSIM_DATA_DIR=${PROJECT_SOURCE_DIR}")
dssim_cli_test(bad_residual 1 "residual_fraction needs refresh_months" scenarios/33b_a100.toml --set cost.residual_fraction=0.3)

# Sweeps: 40 points, then a resume after cutting the results to a prefix
add_test(NAME cli.sweep_and_resume COMMAND bash -c "set -e; d=$(mktemp -d); $<TARGET_FILE:dssim> sweep scenarios/sweeps/33b_gpus_batches.toml --out $d --jobs 2 --quiet > $d/o1; [ $(wc -l < $d/results.csv) -eq 41 ]; grep -q 'does not fit' $d/results.csv; test -s $d/pareto.csv; cp $d/results.csv $d/full.csv; head -11 $d/full.csv > $d/results.csv; $<TARGET_FILE:dssim> sweep scenarios/sweeps/33b_gpus_batches.toml --out $d --jobs 2 --quiet > $d/o2; grep -q '30 run now, 10 from an earlier run' $d/o2; cmp $d/results.csv $d/full.csv; echo ok"
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.sweep_and_resume PROPERTIES LABELS integration ENVIRONMENT "DSSIM_DATA_DIR=${PROJECT_SOURCE_DIR}")
add_test(NAME cli.sweep_parallel_layouts COMMAND bash -c "set -e; d=$(mktemp -d); $<TARGET_FILE:dssim> sweep scenarios/sweeps/v3_layouts_2x8h100.toml --out $d --jobs 2 --quiet > /dev/null; [ $(grep -c ',ok,' $d/results.csv) -eq 9 ]; grep -q 'error: dssim: expert_parallel = 8 is smaller than tensor_parallel = 16' $d/results.csv; rm -rf $d"
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.sweep_parallel_layouts PROPERTIES LABELS integration ENVIRONMENT "DSSIM_DATA_DIR=${PROJECT_SOURCE_DIR}")
add_test(NAME cli.bad_sweep_point COMMAND bash -c "set -e; d=$(mktemp -d); $<TARGET_FILE:dssim> sweep tests/integration/cases/bad_sweep.toml --out $d --quiet > /dev/null; grep -q '^0,3,.error: dssim: tensor_parallel = 3 needs 3 GPUs' $d/results.csv; grep -q '^1,1,ok,' $d/results.csv; rm -rf $d"
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.bad_sweep_point PROPERTIES LABELS integration ENVIRONMENT "DSSIM_DATA_DIR=${PROJECT_SOURCE_DIR}")
add_test(NAME cli.bad_sweep_every_point COMMAND bash -c "d=$(mktemp -d); bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/expect.sh 1 \"every one of the 2 points of tests/integration/cases/bad_sweep_axis.toml failed .*unknown key 'workload.bach'; did you mean 'batch'\" $<TARGET_FILE:dssim> sweep tests/integration/cases/bad_sweep_axis.toml --out $d/o --quiet; rc=$?; rm -rf $d; exit $rc"
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.bad_sweep_every_point PROPERTIES LABELS integration ENVIRONMENT "DSSIM_DATA_DIR=${PROJECT_SOURCE_DIR}")
dssim_cli_test(study_hardware_matrix 0 "large distributed +4x H100 SXM5 +deepseek-llm-67b" study scenarios/studies/hardware-matrix.toml --out ${CMAKE_CURRENT_BINARY_DIR}/study --force)
# Rows run in parallel processes: one at a time gives the same table.
dssim_cli_test(study_one_job 0 "large distributed +4x H100 SXM5 +deepseek-llm-67b" study scenarios/studies/hardware-matrix.toml --out ${CMAKE_CURRENT_BINARY_DIR}/study1 --force --jobs 1)
dssim_cli_test(study_bad_jobs 1 "--jobs must be in \\[1, 1024\\], got 0" study scenarios/studies/hardware-matrix.toml --out ${CMAKE_CURRENT_BINARY_DIR}/study0 --jobs 0)
add_test(NAME cli.roi_report_in_browser COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/report_browser.sh $<TARGET_FILE:dssim>
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.roi_report_in_browser PROPERTIES LABELS integration SKIP_RETURN_CODE 77
                     ENVIRONMENT "DSSIM_DATA_DIR=${PROJECT_SOURCE_DIR}")
add_test(NAME cli.sweep_points_and_merge COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/sweep_points.sh $<TARGET_FILE:dssim>
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.sweep_points_and_merge PROPERTIES LABELS integration ENVIRONMENT "DSSIM_DATA_DIR=${PROJECT_SOURCE_DIR}")
dssim_cli_test(calibrate_check_fails 1 "check failed: gemm_bf16 median [0-9.]+ % > 0.1 % \\(tests/integration/cases/tight_bounds.toml:3: key 'gemm_bf16.median'\\)" calibrate --gpu h200-sxm --data validation/data/h200 --check tests/integration/cases/tight_bounds.toml)
# Host power of a node without a node file: the estimate for a server, nothing for a module
dssim_cli_test(host_power_implicit_node 0 "host power +150 W for the node \\(estimate: no node file; 100 W \\+ 50 W per GPU\\)" scenarios/33b_a100.toml)
dssim_cli_test(host_power_module 0 "host power +0 W for the node \\(a module: its CPU is inside the GPU budget\\)" scenarios/matrix_edge_jetson_orin.toml)
# Beyond one machine: the same sweep as a Slurm array job on a single-node cluster started by the test
add_test(NAME cli.sweep_on_slurm COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/slurm_sweep.sh $<TARGET_FILE:dssim>
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.sweep_on_slurm PROPERTIES LABELS integration SKIP_RETURN_CODE 77 TIMEOUT 600
                     ENVIRONMENT "DSSIM_DATA_DIR=${PROJECT_SOURCE_DIR}")

# Several GPUs (issue 6): every shipped parallel and offload scenario runs, and says how it is split.
file(GLOB DSSIM_PARALLEL_SCENARIOS RELATIVE ${PROJECT_SOURCE_DIR} CONFIGURE_DEPENDS
     ${PROJECT_SOURCE_DIR}/scenarios/parallel/*.toml ${PROJECT_SOURCE_DIR}/scenarios/offload/*.toml)
foreach(s ${DSSIM_PARALLEL_SCENARIOS})
  get_filename_component(n ${s} NAME_WE)
  dssim_cli_test(parallel.${n} 0 "FITS" ${s})
  dssim_cli_test(parallel_json.${n} 0 "\"decode_comm_s\"" ${s} --format json)
endforeach()
dssim_cli_test(parallel_tp8_comm 0 "communication \\(first GPU\\) +prefill [0-9.]+ m?s, decode step [0-9.]+ (ms|us)" scenarios/parallel/v3_fp8_h200x8_tp8.toml)
dssim_cli_test(parallel_ep_layout 0 "TP 8, EP 8 over nvswitch" scenarios/parallel/v3_fp8_h200x8_ep8.toml)
dssim_cli_test(parallel_two_nodes 0 "dgx-8xh100-sxm x 2 nodes: 16 x h100-sxm.*TP 8, EP 16 \\(data-parallel attention x2\\)" scenarios/parallel/v3_fp8_2x8h100_ep16.toml)
dssim_cli_test(parallel_skew 0 "busiest expert rank [0-9.]+x the mean load" scenarios/parallel/v3_fp8_2x8h100_ep16.toml --set serving.routing_skew=1.0)
dssim_cli_test(parallel_pipeline 0 "TP 8, PP 2 \\(2 micro-batches\\)" scenarios/parallel/v3_fp8_2x8h100_ep16.toml --set serving.expert_parallel=1 --set serving.pipeline_parallel=2)
dssim_cli_test(parallel_tree 0 "FITS" scenarios/parallel/llm67b_bf16_a100x4_nvlink.toml --set serving.allreduce=\"tree\")
dssim_cli_test(offload_shared_uplink 0 "at 7.2 GB/s \\(its share of the host link\\)" scenarios/parallel/llm67b_bf16_a10gx4_offload.toml)
dssim_cli_test(offload_alternatives 0 "instead: store the weights in bf16" scenarios/offload/7b_fp32_rtx4090_offload.toml)
dssim_cli_test(offload_kv 0 "in host memory \\(offload\\) .*KV cache: the oldest [1-9][0-9]* tokens" scenarios/7b_bf16_rtx4090.toml --set serving.max_batch=16 --set workload.batch=16 --set workload.prompt_tokens=4096 --set memory.offload_kv=true)
dssim_cli_test(no_fit_suggests_offload 2 "would fit: weight or KV-cache offload to host memory" scenarios/7b_fp32_rtx4090.toml)
dssim_cli_test(parallel_serving 0 "1 replica x 8 GPUs \\(TP 8, EP 8\\)" validation/bench/azure_conv_v3_h200x8.toml --quiet)

# Several GPUs: bad input
dssim_cli_test(bad_ep_dense 1 "expert_parallel = 2: deepseek-llm-67b is a dense model" scenarios/parallel/llm67b_bf16_a100x4_nvlink.toml --set serving.expert_parallel=2)
dssim_cli_test(bad_ep_divide 1 "expert_parallel = 12 does not divide deepseek-v3's 256 routed experts; valid expert_parallel here: 2, 4, 8, 16" scenarios/parallel/v3_fp8_2x8h100_ep16.toml --set serving.expert_parallel=12)
dssim_cli_test(bad_ep_small 1 "expert_parallel = 4 is smaller than tensor_parallel = 8" scenarios/parallel/v3_fp8_h200x8_ep8.toml --set serving.expert_parallel=4)
dssim_cli_test(bad_tp_heads_v3 1 "tensor_parallel = 3 does not divide deepseek-v3's 128 attention heads" scenarios/parallel/v3_fp8_h200x8_tp8.toml --set serving.tensor_parallel=3)
dssim_cli_test(bad_pp_layers 1 "pipeline_parallel = 100 exceeds deepseek-llm-67b's 95 layers" scenarios/parallel/llm67b_bf16_a100x4_nvlink.toml --set serving.tensor_parallel=1 --set serving.pipeline_parallel=100 --set platform.count=100)
dssim_cli_test(bad_too_few_gpus 1 "tensor_parallel = 8 x pipeline_parallel = 2 needs 16 GPUs; the platform has 8" scenarios/parallel/v3_fp8_h200x8_tp8.toml --set serving.pipeline_parallel=2)
dssim_cli_test(bad_nodes_no_network 1 "no inter-node network" tests/integration/cases/two_nodes_no_network.toml)
dssim_cli_test(bad_nodes_with_gpu 1 "'nodes' goes with 'node'" scenarios/parallel/llm67b_bf16_a100x4_nvlink.toml --set platform.nodes=2)
dssim_cli_test(serving_offload_kv 0 "KV cache pool .*blocks of 16 tokens per replica, [0-9]+ of them in host memory" scenarios/serving/7b_rtx4090_continuous_preemption.toml --quiet --set memory.offload_kv=true --set memory.host_memory_gib=16)
dssim_cli_test(bad_offload_serving_pp 1 "offload with pipeline_parallel > 1 is not modelled" scenarios/serving/7b_h200_continuous_poisson.toml --quiet --set memory.offload_kv=true --set serving.pipeline_parallel=2 --set platform.count=2)
dssim_cli_test(serving_offload_streams 0 "in host memory \\(offload\\) +[0-9.]+ +\\(weights of the last [0-9]+ layers, streamed over PCIe every iteration\\)" scenarios/serving/g5_7b_fp32_offload_4replicas.toml --quiet)
dssim_cli_test(bad_offload_pp 1 "offload with pipeline_parallel > 1 is not modelled" scenarios/parallel/llm67b_bf16_a10gx4_offload.toml --set serving.tensor_parallel=2 --set serving.pipeline_parallel=2)
# Offload the way users set it: llama.cpp's --n-gpu-layers, pinned or pageable host memory, unified memory.
dssim_cli_test(gpu_layers_streams_the_rest 0 "gpu_layers = 20: 20 of 30 decoder layers stay on each GPU" scenarios/offload/7b_fp32_rtx4090_offload.toml --set memory.gpu_layers=20)
dssim_cli_test(gpu_layers_too_many 2 "would fit: \\[memory\\] gpu_layers = 23 at most: 28 layers on each GPU need 3.54 GiB more" scenarios/offload/7b_fp32_rtx4090_offload.toml --set memory.gpu_layers=28)
dssim_cli_test(bad_gpu_layers_negative 1 "key 'memory.gpu_layers' \\(from --set\\): expected an integer in \\[0, 1000000\\], got -1" scenarios/offload/7b_fp32_rtx4090_offload.toml --set memory.gpu_layers=-1)
dssim_cli_test(bad_gpu_layers_with_offload_off 1 "gpu_layers = 10 streams the other layers' weights from host memory, which offload_weights = false forbids" scenarios/offload/7b_fp32_rtx4090_offload.toml --set memory.offload_weights=false --set memory.gpu_layers=10)
dssim_cli_test(bad_host_memory_kind 1 "key 'memory.host_memory' \\(from --set\\): 'mapped' is not one of pinned, pageable" scenarios/offload/7b_fp32_rtx4090_offload.toml --set memory.host_memory=mapped)
dssim_cli_test(pageable_host_memory 0 "at 6.3 GB/s \\(pageable host memory: the host's copy rate\\)" scenarios/offload/7b_fp32_rtx4090_offload.toml --set memory.host_memory=pageable)
dssim_cli_test(serving_pageable_offload 0 "streamed over PCIe every iteration, copied by the CPU from pageable memory" scenarios/serving/g5_7b_fp32_offload_4replicas.toml --quiet --set memory.host_memory=pageable)
dssim_cli_test(unified_offload_zero_copy 0 "unified memory: the kernels read what is in host memory in place \\(zero copy\\)" scenarios/offload/r1q32b_jetson_gpu_layers.toml)
dssim_cli_test(unified_offload_frees_nothing 2 "has unified memory: what is offloaded to host memory .* offload frees nothing there" scenarios/offload/r1q32b_jetson_gpu_layers.toml --set model.weights=bf16 --set memory.gpu_layers=16)
# How a GPU runs precisions it has no tensor cores for is said, never silent
dssim_cli_test(precision_note_bf16_t4 0 "Compute   bf16 on t4: it has no bf16 tensor cores \\(turing\\), so weights and activations run in fp16" predict --model deepseek-llm-7b --gpu t4)
dssim_cli_test(precision_note_fp8_a100 0 "Compute   fp8 weights on a100-80g-sxm: it has no fp8 tensor cores, so they run weight-only \\(W8A16\\)" predict --model deepseek-llm-7b --gpu a100-80g-sxm --weights fp8)
dssim_cli_test(bad_weight_only 1 "weight_only applies to int8, fp8 or int4 weights, not bf16" scenarios/parallel/llm67b_bf16_a100x4_nvlink.toml --set model.weight_only=true)
dssim_cli_test(bad_dp_replicas 1 "data_parallel = 2 and replicas = 4 say different things" scenarios/serving/33b_h200x4_continuous_dssim.toml --quiet --set serving.data_parallel=2)
dssim_cli_test(bad_allreduce 1 "allreduce.*ring.*tree.*auto" scenarios/parallel/llm67b_bf16_a100x4_nvlink.toml --set serving.allreduce=\"rings\")
dssim_cli_test(bad_placement 1 "expert_placement" scenarios/parallel/v3_fp8_h200x8_ep8.toml --set serving.expert_placement=\"random\")
dssim_cli_test(bad_memory_key 1 "offload_weight.*did you mean 'offload_weights'" scenarios/offload/7b_fp32_rtx4090_offload.toml --set memory.offload_weight=true)

# dssim comm: one collective on a platform; the closed form equals the simulation on an idle platform
add_test(NAME cli.comm_closed_equals_simulated COMMAND bash -c "set -e; $<TARGET_FILE:dssim> comm --node hgx-8xh200 --bytes 8,1M,1G --format csv | tail -n +2 | awk -F, '{ d = $2 - $3; if (d < 0) d = -d; if (d > 1e-6 * $2) exit 1 } END { if (NR != 3) exit 1 }'; $<TARGET_FILE:dssim> comm --node dgx-8xh100-sxm --nodes 2 --op p2p --bytes 1G | grep -q 'network link 50 GB/s'"
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.comm_closed_equals_simulated PROPERTIES LABELS integration ENVIRONMENT "DSSIM_DATA_DIR=${PROJECT_SOURCE_DIR}")
dssim_cli_test(comm_alltoall 0 "alltoall over 4 x a10g of g5-12xlarge-4xa10g: pcie link" comm --node g5-12xlarge-4xa10g --op alltoall --bytes 64M)
dssim_cli_test(comm_bad_size 1 "--bytes: '12Q' is not a size" comm --node hgx-8xh200 --bytes 1K,12Q)
dssim_cli_test(comm_bad_op 1 "--op 'reduce': expected allreduce, allgather, alltoall or p2p" comm --node hgx-8xh200 --op reduce)
dssim_cli_test(comm_bad_gpus 1 "--gpus 9: a collective needs 2 to 8 GPUs" comm --node hgx-8xh200 --gpus 9)
dssim_cli_test(comm_no_network 1 "no inter-node network" comm --node pcie-host-1x-rtx-4090 --nodes 2)
dssim_cli_test(runtime_fused 0 "decode step at context 1024 +[0-9.]+ ms .*623 kernels" scenarios/33b_a100.toml --set serving.runtime=\"fused\")
dssim_cli_test(parallel_two_batch_overlap 0 "TP 8, EP 16 \\(data-parallel attention x2\\), two-batch overlap" scenarios/parallel/v3_fp8_2x8h100_ep16.toml --set serving.two_batch_overlap=true)
dssim_cli_test(bad_overlap_pp 1 "two_batch_overlap with pipeline_parallel = 2 is not modelled" scenarios/parallel/v3_fp8_2x8h100_ep16.toml --set serving.two_batch_overlap=true --set serving.expert_parallel=1 --set serving.pipeline_parallel=2)
dssim_cli_test(overlap_batch_one 0 "two_batch_overlap needs a batch of at least 2" scenarios/parallel/v3_fp8_h200x8_ep8.toml --set serving.two_batch_overlap=true --set workload.batch=1)
dssim_cli_test(comm_bad_algo 1 "--algo: 'bogus': expected ring, tree or auto" comm --node hgx-8xh200 --algo bogus)
dssim_cli_test(offload_host_memory_short 2 "offload needs [0-9.]+ GiB of host memory per node; it has 4.00 GiB" scenarios/offload/7b_fp32_rtx4090_offload.toml --set memory.host_memory_gib=4)
dssim_cli_test(offload_host_memory_unknown 0 "neither \\[memory\\] host_memory_gib nor the node file says how much there is" scenarios/7b_fp32_rtx4090.toml --set memory.offload_weights=true)
dssim_cli_test(serving_kv_offload_needs_host_memory 1 "KV offload in serving needs to know the host memory" scenarios/serving/7b_rtx4090_continuous_preemption.toml --quiet --set memory.offload_kv=true)
# A serving run's ROI counts the tokens dssim roi counts: with an SLO, those of requests meeting it
dssim_cli_test(serving_roi_goodput_tokens 0 "tokens counted +serving simulation, tokens of requests meeting the SLO \\([0-9]+ % of requests\\)" scenarios/serving/g5_7b_continuous.toml --quiet --set serving.slo_ttft_s=1.0)

# No user string reaches a shell: hostile folder and scenario names through roi, sweep, study, Slurm
add_test(NAME cli.no_shell COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/no_shell.sh $<TARGET_FILE:dssim>
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.no_shell PROPERTIES LABELS integration ENVIRONMENT "DSSIM_DATA_DIR=${PROJECT_SOURCE_DIR}")

# [environment] power_model: "off" turns the observer off everywhere; a burn cannot run without it
dssim_cli_test(burn_power_model_off 1 "a gemm-burn needs the power model: \\[environment\\] power_model is \"off\"" scenarios/power/h200_gemm_burn.toml --set environment.power_model=off)
dssim_cli_test(bad_power_model 1 "key 'environment.power_model'.*'of' is not one of" scenarios/33b_a100.toml --set environment.power_model=of)
dssim_cli_test(fixed_batch_paced 0 "SM clock +prefill [0-9]+ MHz \\(held by the power cap\\)" scenarios/33b_a100.toml)

# Scenario keys and batch policies: one declaration each, listed by dssim help, documented in docs/cli.md
dssim_cli_test(help_keys 0 "max_batched_tokens +integer \\(tokens\\) +1 \\.\\. 1073741824 +8192 +new tokens in one prefill iteration \\[policy = continuous\\]" help keys)
dssim_cli_test(help_policies 0 "chunked +chunked prefill \\(Sarathi\\)" help policies)
dssim_cli_test(bad_help 1 "usage: dssim help" help nonsense)
dssim_cli_test(key_of_another_policy 1 "key 'serving.token_budget' does not apply here: it is for policy = chunked" scenarios/serving/7b_h200_continuous_poisson.toml --set serving.token_budget=64)
add_test(NAME cli.docs_key_reference COMMAND bash -c "diff <($<TARGET_FILE:dssim> help keys --markdown) <(sed -n '/^<!-- keys:/,/^<!-- end keys -->/p' docs/cli.md | sed '1d;$d') && echo 'docs/cli.md matches dssim help keys'"
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.docs_key_reference PROPERTIES LABELS integration)

# Output is never lost silently (full disk, bad paths, non-empty folders, failed checks)
add_test(NAME cli.lost_output COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/lost_output.sh $<TARGET_FILE:dssim>
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.lost_output PROPERTIES LABELS integration ENVIRONMENT "DSSIM_DATA_DIR=${PROJECT_SOURCE_DIR}")

# Checked arithmetic and limits: every count a user gives has a documented maximum and a clear error
dssim_cli_test(limit_trace_tokens 1 "huge_output_trace.csv:2: output_tokens: 9223372036854775807 output tokens is more than dssim takes for one request \\(1073741824\\)" scenarios/serving/7b_h200_static_azure.toml --quiet --set workload.format=dssim --set workload.file=${CMAKE_CURRENT_SOURCE_DIR}/integration/cases/huge_output_trace.csv)
dssim_cli_test(limit_trace_time 1 "huge_arrival_trace.csv:3: arrival_s: 1e\\+308 s is not a plausible arrival time" scenarios/serving/7b_h200_static_azure.toml --quiet --set workload.format=dssim --set workload.file=${CMAKE_CURRENT_SOURCE_DIR}/integration/cases/huge_arrival_trace.csv)
dssim_cli_test(limit_trace_span 1 "years_apart_trace.csv: the requests span 3.15506e\\+11 s" scenarios/serving/7b_h200_static_azure.toml --quiet --set workload.file=${CMAKE_CURRENT_SOURCE_DIR}/integration/cases/years_apart_trace.csv)
dssim_cli_test(limit_predict_output 1 "--output must be in \\[1, 1073741824\\], got 9223372036854775807" predict --model deepseek-llm-7b --gpu h200-sxm --output 9223372036854775807)
dssim_cli_test(limit_predict_context 1 "--context must be in \\[1, 1073741824\\]" predict --model deepseek-llm-7b --gpu h200-sxm --context 9223372036854775807)
dssim_cli_test(limit_predict_count 1 "--count must be in \\[1, 4096\\], got 100000" predict --model deepseek-llm-7b --gpu h200-sxm --count 100000)
dssim_cli_test(limit_comm_nodes 1 "--nodes 100000: 100000 nodes of 8 GPUs is more than the 4096 GPUs" comm --node dgx-8xh100-sxm --nodes 100000)
dssim_cli_test(limit_platform_gpus 1 "4096 nodes of 8 GPUs is 32768 GPUs; dssim simulates platforms of up to 4096" scenarios/parallel/v3_fp8_2x8h100_ep16.toml --set platform.nodes=4096)
dssim_cli_test(limit_requests 1 "key 'workload.requests' \\(from --set\\): expected an integer in \\[1, 100000000\\]" scenarios/serving/7b_h200_continuous_poisson.toml --set workload.requests=1099511627776)
dssim_cli_test(undefined_cost_per_token 0 "\\$ per million output tokens +on-prem n/a, cloud n/a" scenarios/33b_a100.toml --set cost.utilization=0)
add_test(NAME cli.fifo_inputs COMMAND bash -c "set -e; d=$(mktemp -d); mkfifo $d/f; trap 'rm -rf $d' EXIT; timeout 10 bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/expect.sh 1 'f: not a regular file, expected a TOML file' $<TARGET_FILE:dssim> $d/f; timeout 10 bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/expect.sh 1 'f: not a regular file \\(a FIFO or a device\\?\\), expected a trace file' $<TARGET_FILE:dssim> scenarios/serving/7b_h200_static_azure.toml --quiet --set workload.file=$d/f"
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.fifo_inputs PROPERTIES LABELS integration ENVIRONMENT "DSSIM_DATA_DIR=${PROJECT_SOURCE_DIR}" TIMEOUT 30)

# Sweep resume: truncated row, failed point retried, changed base refused, concurrent run refused, CSV quoting
add_test(NAME cli.sweep_resume_safety COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/sweep_resume.sh $<TARGET_FILE:dssim>
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.sweep_resume_safety PROPERTIES LABELS integration ENVIRONMENT "DSSIM_DATA_DIR=${PROJECT_SOURCE_DIR}")

# dssim bench: replay speed, and the coalesced engine against the per-iteration one.
dssim_cli_test(bench_no_scenario 1 "dssim bench needs at least one serving scenario" bench)
dssim_cli_test(bench_not_serving 1 "dssim bench replays request streams" bench scenarios/33b_a100.toml)
dssim_cli_test(bench_bad_tolerance 1 "--tolerance must be a number >= 0" bench scenarios/serving/g5_7b_static.toml --tolerance -1)
dssim_cli_test(bench_missing_file 1 "nope.toml" bench nope.toml)
dssim_cli_test(bench_table 0 "^  coalesced +event queue +[0-9.]+ s +[0-9.]+ MiB +57306 +[0-9]+ +[0-9]+$" bench scenarios/serving/g5_7b_static.toml)
# What a run keeps of each request: a misspelt mode is named; a fixed batch has no percentiles to choose.
dssim_cli_test(bad_percentiles 1 "--percentiles: unknown percentile mode 'skech'; expected exact or sketch; did you mean 'sketch'" scenarios/serving/7b_h200_chunked_mooncake.toml --quiet --percentiles skech)
# A sketched run says so under its latency table and in JSON.
dssim_cli_test(percentiles_sketch_text 0 "percentiles within 0.46 % \\(--percentiles sketch" scenarios/serving/7b_h200_continuous_poisson.toml --quiet --percentiles sketch)
dssim_cli_test(percentiles_sketch_json 0 "\"percentiles\": \"sketch\"" scenarios/serving/7b_h200_continuous_poisson.toml --quiet --percentiles sketch --format json)
dssim_cli_test(bad_percentiles_fixed 1 "--percentiles needs a request stream" scenarios/33b_a100.toml --percentiles sketch)
dssim_cli_test(bad_percentiles_bench 1 "--percentiles: unknown percentile mode" bench scenarios/serving/g5_7b_static.toml --percentiles all)
# The event queue and SimGrid run the same actors' waits in the same order: bit for bit the same replay.
dssim_cli_test(bench_event_queue_is_simgrid 0 "against coalesced on SimGrid: [0-9]+ figures compared, largest relative difference 0$" bench --reference validation/bench/synthetic_1m_64_replicas.toml --set workload.requests=5000)
# Offload streams share links: that replay waits on SimGrid.
dssim_cli_test(bench_streams_on_simgrid 0 "^  coalesced +SimGrid +[0-9.]+ s" bench scenarios/serving/g5_7b_fp32_offload_4replicas.toml)
dssim_cli_test(bench_reference 0 "largest relative difference" bench --reference scenarios/serving/g5_7b_adaptive.toml)
# A run engine flag: the same report either way (the oracle tests compare every figure).
dssim_cli_test(run_per_iteration 0 "^  mean batch +[0-9.]+ sequences per iteration \\(57306 iterations\\)" scenarios/serving/g5_7b_static.toml --quiet --per-iteration)

# Prefix caching: what it needs (a trace with prefix hashes, a policy that admits one by one, the SSDs'
# bandwidth, host memory for its tier) and malformed hashes.
set(PREFIX_SCENARIO scenarios/serving/v2lite_h200x2_prefix_cache.toml)
dssim_cli_test(prefix_cache_on 0 "prefix cache +[0-9.]+ % of prompt tokens found" ${PREFIX_SCENARIO} --quiet)
dssim_cli_test(prefix_cache_json 0 "\"prefix_cache\": \\{" ${PREFIX_SCENARIO} --quiet --format json)
dssim_cli_test(prefix_cache_off_ab 0 "Throughput" ${PREFIX_SCENARIO} --quiet --set serving.prefix_cache=false --set serving.router=least_outstanding)
dssim_cli_test(prefix_cache_azure 1 "the trace .*sample_azure.csv has no prefix hashes \\(the azure traces have none\\)" ${PREFIX_SCENARIO} --quiet --set workload.format=azure --set workload.file=../traces/sample_azure.csv)
dssim_cli_test(prefix_cache_dssim_no_hashes 1 "sample_dssim.csv has no prefix hashes \\(no hash_ids\\)" ${PREFIX_SCENARIO} --quiet --set workload.format=dssim --set workload.file=../traces/sample_dssim.csv)
dssim_cli_test(prefix_cache_static 1 "prefix caching needs a policy that admits sequences one by one" ${PREFIX_SCENARIO} --quiet --set serving.policy=static --set serving.router=least_outstanding --set serving.prefix_cache=true)
dssim_cli_test(prefix_cache_fixed_batch 1 "prefix caching applies to request streams" scenarios/33b_a100.toml --quiet --set serving.prefix_cache=true)
dssim_cli_test(prefix_cache_no_ssd_bandwidth 1 "the node pcie-host-1x-rtx-4090 does not say \\(node file key ssd_read_GBps\\); set \\[serving\\] ssd_read_GBps" tests/integration/cases/prefix_no_ssd.toml --quiet)
dssim_cli_test(prefix_cache_host_too_big 2 "the prefix cache's host tier \\(70.00 GiB per replica, 1 replica per node\\) needs 70.00 GiB of host memory per node; it has 64.00 GiB \\(\\[memory\\] host_memory_gib\\): make prefix_cache_host_gib at most 64.00 GiB" scenarios/serving/r1q14b_rtx4090_prefix_tiers.toml --quiet --set serving.prefix_cache_host_gib=70)
dssim_cli_test(prefix_cache_tier_without_switch 1 "key 'serving.prefix_cache_ssd_gib' \\(from --set\\): a setting of the prefix cache, which is off" scenarios/serving/33b_h200x4_continuous_dssim.toml --quiet --set serving.prefix_cache_ssd_gib=10)
dssim_cli_test(prefix_router_without_cache 1 "router = \"prefix_aware\" routes by the prefix cache, which is off" scenarios/serving/33b_h200x4_continuous_dssim.toml --quiet --set serving.router=prefix_aware)
dssim_cli_test(prefix_bad_hash 1 "bad_hash_trace.csv:3: hash_ids: expected non-negative integer block hashes, got 'x'" ${PREFIX_SCENARIO} --quiet --set workload.format=dssim --set workload.file=${CMAKE_CURRENT_SOURCE_DIR}/integration/cases/bad_hash_trace.csv)
dssim_cli_test(prefix_bad_block_tokens 1 "hash_block_tokens" ${PREFIX_SCENARIO} --quiet --set workload.hash_block_tokens=0)

# Speculative decoding: the drafter must exist, share the tokenizer, and the run must be a request stream.
set(SPEC_SCENARIO scenarios/serving/r1q32b_h200_draft_spec.toml)
dssim_cli_test(spec_draft_on 0 "speculative decoding +[0-9.]+ tokens per decode step" ${SPEC_SCENARIO} --quiet)
dssim_cli_test(spec_json 0 "\"speculation\": \\{" ${SPEC_SCENARIO} --quiet --format json)
dssim_cli_test(spec_off_ab 0 "Throughput" ${SPEC_SCENARIO} --quiet --set serving.speculative=none)
dssim_cli_test(spec_mtp_v3 0 "MTP module \\(1 block\\) drafts 1 token per step" scenarios/serving/v3_fp8_h200x8_ep8_azure_sample.toml --quiet --set serving.speculative=mtp)
dssim_cli_test(spec_mtp_no_module 1 "deepseek-coder-33b has no multi-token-prediction module" scenarios/serving/33b_h200x4_continuous_dssim.toml --quiet --set serving.speculative=mtp)
dssim_cli_test(spec_vocab_mismatch 1 "deepseek-coder-1.3b has a vocabulary of 32256 tokens, deepseek-r1-distill-qwen-32b of 152064; a draft model must share the target's tokenizer" ${SPEC_SCENARIO} --quiet --set serving.draft_model=deepseek-coder-1.3b)
dssim_cli_test(spec_unknown_draft 1 "r1q32b_h200_draft_spec.toml: \\[serving\\] draft_model: unknown model .deepseek-r1-distill-qwen-1.6b. \\(did you mean .deepseek-r1-distill-qwen-1.5b.\\?\\)" ${SPEC_SCENARIO} --quiet --set serving.draft_model=deepseek-r1-distill-qwen-1.6b)
dssim_cli_test(spec_bad_draft_weights 1 "draft_weights" ${SPEC_SCENARIO} --quiet --set serving.draft_weights=fp5)
dssim_cli_test(spec_fixed_batch 1 "speculative decoding applies to request streams" scenarios/33b_a100.toml --quiet --set serving.speculative=draft --set serving.draft_model=deepseek-coder-1.3b --set serving.acceptance_rate=0.7)
dssim_cli_test(spec_static 1 "speculative decoding needs a policy that schedules every iteration" ${SPEC_SCENARIO} --quiet --set serving.policy=static)
dssim_cli_test(spec_acceptance_range 1 "acceptance_rate" ${SPEC_SCENARIO} --quiet --set serving.acceptance_rate=1.5)
dssim_cli_test(spec_tokens_range 1 "speculative_tokens" ${SPEC_SCENARIO} --quiet --set serving.speculative_tokens=0)

# Engines configured by their launch commands: read, never run; every flag mapped or refused.
set(VLLM_SCENARIO scenarios/serving/v3_h200x8_vllm_command.toml)
set(SGLANG_SCENARIO scenarios/serving/v3_h200x8_sglang_mtp_command.toml)
dssim_cli_test(engine_vllm 0 "vLLM would log: \"GPU KV cache size: [0-9]+ tokens\"" ${VLLM_SCENARIO} --quiet)
dssim_cli_test(engine_sglang 0 "SGLang would log: \"KV Cache is allocated. #tokens: [0-9]+\"" ${SGLANG_SCENARIO} --quiet)
dssim_cli_test(engine_json 0 "\"engine\": \\{" ${VLLM_SCENARIO} --quiet --format json)
dssim_cli_test(engine_help 0 "--max-num-seqs" help engines)
dssim_cli_test(engine_set_wins 0 "max_batch 64," ${VLLM_SCENARIO} --quiet --set serving.max_batch=64)
dssim_cli_test(engine_command_flag_set 0 "max_batch 32," ${VLLM_SCENARIO} --quiet --set "engine.command=vllm serve deepseek-ai/DeepSeek-V3 -tp 8 --max-num-seqs 32")
dssim_cli_test(engine_conflict 1 "\\[serving\\] tensor_parallel is also set by the \\[engine\\] command \\(--tensor-parallel-size 8\\); keep one of them" tests/integration/cases/engine_conflict.toml --quiet)
dssim_cli_test(engine_wrong_model 1 "the \\[engine\\] command serves deepseek-ai/DeepSeek-R1, but \\[model\\] is deepseek-v3 \\(deepseek-ai/DeepSeek-V3\\)" ${VLLM_SCENARIO} --quiet --set "engine.command=vllm serve deepseek-ai/DeepSeek-R1 -tp 8")
dssim_cli_test(engine_unknown_flag 1 "key 'engine.command' \\(from --set\\): --max-num-seq: not a vllm flag dssim knows; did you mean '--max-num-seqs'" ${VLLM_SCENARIO} --quiet --set "engine.command=vllm serve deepseek-ai/DeepSeek-V3 --max-num-seq 8")
dssim_cli_test(engine_unknown_kind 1 "key 'engine.kind' \\(from --set\\): 'tgi' is not one of vllm, sglang" ${VLLM_SCENARIO} --quiet --set engine.kind=tgi)
dssim_cli_test(engine_unclosed_quote 1 "the command has an unclosed ' quote" ${VLLM_SCENARIO} --quiet --set "engine.command=vllm serve m --served-model-name 'x")
dssim_cli_test(engine_disaggregation 1 "one launch command describes one pool; describe a prefill/decode split with \\[serving\\] prefill_replicas and decode_replicas" ${SGLANG_SCENARIO} --quiet --set "engine.command=python3 -m sglang.launch_server --model-path deepseek-ai/DeepSeek-V3 --tp 8 --disaggregation-mode prefill")
dssim_cli_test(engine_shell_text 1 "not a vllm flag dssim knows" ${VLLM_SCENARIO} --quiet --set "engine.command=vllm serve deepseek-ai/DeepSeek-V3 -tp 8 --x \$(touch /tmp/dssim_pwned) `touch /tmp/dssim_pwned`")
dssim_cli_test(engine_draft_hf_repo 0 "draft deepseek-r1-distill-qwen-1.5b" scenarios/serving/r1q32b_h200_draft_spec.toml --quiet --set serving.draft_model=deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B)

# EPLB: redundant experts must fill the EP ranks and need expert parallelism.
dssim_cli_test(eplb_on 0 "EPLB with 16 redundant experts" scenarios/parallel/v3_fp8_2x8h100_ep16.toml --quiet --set serving.routing_skew=1.0 --set serving.redundant_experts=16)
dssim_cli_test(eplb_uneven 1 "redundant_experts = 5: deepseek-v3's 256 routed experts and the copies must fill the 16 expert-parallel ranks evenly; use a multiple of 16" scenarios/parallel/v3_fp8_2x8h100_ep16.toml --quiet --set serving.redundant_experts=5)
dssim_cli_test(eplb_without_ep 1 "redundant experts are copies over expert-parallel ranks; set expert_parallel > 1" scenarios/serving/v3_fp8_h200x8_ep8_azure_sample.toml --quiet --set serving.expert_parallel=1 --set serving.redundant_experts=8)

# Prefill/decode disaggregation: two pools, KV over the platform's links.
set(PD_SCENARIO scenarios/serving/v3_fp8_2x8h200_1p1d.toml)
dssim_cli_test(pd_on 0 "disaggregated 1P1D: prefill 1 replica x 8 GPUs" ${PD_SCENARIO} --quiet)
dssim_cli_test(pd_transfer_row 0 "KV transfer \\(in TTFT\\)" ${PD_SCENARIO} --quiet)
dssim_cli_test(pd_json 0 "\"disaggregation\": \\{" ${PD_SCENARIO} --quiet --format json)
dssim_cli_test(pd_too_many_gpus 1 "2 prefill replicas x 8 GPUs \\+ 1 decode replicas x 8 GPUs need 24 GPUs; the platform has 16" ${PD_SCENARIO} --quiet --set serving.prefill_replicas=2)
dssim_cli_test(pd_one_pool 1 "disaggregated serving needs both pools" scenarios/serving/7b_h200_continuous_poisson.toml --quiet --set serving.prefill_replicas=1)
dssim_cli_test(pd_with_replicas 1 "remove replicas" ${PD_SCENARIO} --quiet --set serving.replicas=2)
dssim_cli_test(pd_static 1 "disaggregated serving needs a policy that schedules every iteration" scenarios/serving/7b_h200_static_azure.toml --quiet --set serving.prefill_replicas=1 --set serving.decode_replicas=1)
dssim_cli_test(pd_pool_tp 0 "prefill 2 replicas x 1 GPU, decode 4 replicas x 2 GPUs \\(TP 2\\)" ${PD_SCENARIO} --quiet --set model.name=deepseek-v2-lite --set model.weights=bf16 --set serving.tensor_parallel=1 --set serving.expert_parallel=1 --set serving.prefill_replicas=2 --set serving.decode_replicas=4 --set serving.decode_tensor_parallel=2)
# Prefill and decode pools on different hardware ([decode_platform]).
set(PD2_SCENARIO scenarios/serving/v3_fp8_h100_prefill_h200_decode.toml)
dssim_cli_test(pd2_platform 0 "Platform  prefill on dgx-8xh100-sxm: 16 x h100-sxm, decode on hgx-8xh200: 8 x h200-sxm" ${PD2_SCENARIO} --quiet)
dssim_cli_test(pd2_roi_gpus 0 "hardware .*: GPUs \\$736,000" ${PD2_SCENARIO} --quiet)
dssim_cli_test(pd2_json 0 "\"decode_platform\": \\{" ${PD2_SCENARIO} --quiet --format json)
dssim_cli_test(pd2_decode_cap 0 "power model, decode .*limit 400 W" ${PD2_SCENARIO} --quiet --set decode_platform.power_limit_w=400)
dssim_cli_test(pd2_too_many_decode 1 "2 decode replicas x 8 GPUs need 16 of \\[decode_platform\\] \\(it has 8\\)" ${PD2_SCENARIO} --quiet --set serving.decode_replicas=2)
dssim_cli_test(pd2_both_keys 1 "\\[decode_platform\\] takes one of 'gpu' \\(with 'count'\\) or 'node', not both" ${PD2_SCENARIO} --quiet --set decode_platform.gpu=h200-sxm --set decode_platform.node=hgx-8xh200)
# A --set of the platform's other form replaces the file's (its count or nodes goes with it).
dssim_cli_test(set_node_over_gpu 0 "Platform  dgx-8xh100-sxm x 2 nodes: 16 x h100-sxm" scenarios/33b_a100.toml --quiet --set platform.node=dgx-8xh100-sxm --set platform.nodes=2)
dssim_cli_test(set_gpu_over_node 1 "the decode pool receives each sequence.s KV .* has none" ${PD2_SCENARIO} --quiet --set decode_platform.gpu=h200-sxm)
dssim_cli_test(pd2_no_network 1 "the decode pool receives each sequence.s KV .* has none" ${PD_SCENARIO} --quiet --set decode_platform.gpu=h200-sxm --set decode_platform.count=8)
dssim_cli_test(pd2_colocated 1 "\\[decode_platform\\] is the decode pool's hardware under prefill/decode disaggregation" scenarios/serving/7b_h200_continuous_poisson.toml --quiet --set decode_platform.node=hgx-8xh200)
dssim_cli_test(pd2_one_price 1 "two kinds of GPU, and \\[cost\\] gpu_price_usd" ${PD2_SCENARIO} --quiet --set cost.gpu_price_usd=30000)
dssim_cli_test(pd2_cluster_link 0 "decode on hgx-8xh200: 8 x h200-sxm \\(its cluster joined by a 100 Gb/s link\\)" ${PD2_SCENARIO} --quiet --set decode_platform.link_Gbps=100)
dssim_cli_test(pd2_cluster_link_json 0 "\"link_bytes_per_s\": 12500000000," ${PD2_SCENARIO} --quiet --format json --set decode_platform.link_Gbps=100)
dssim_cli_test(pd2_link_latency_alone 1 "key 'decode_platform.link_latency_us' \\(from --set\\): link_latency_us is the latency of the clusters' link: give link_Gbps too" ${PD2_SCENARIO} --quiet --set decode_platform.link_latency_us=5)
dssim_cli_test(pd2_bad_link 1 "decode_platform.link_Gbps" ${PD2_SCENARIO} --quiet --set decode_platform.link_Gbps=0)
dssim_cli_test(pd2_typo 1 "unknown key 'decode_platform.nod'; did you mean 'node'" ${PD2_SCENARIO} --quiet --set decode_platform.nod=x)
dssim_cli_test(pd_decode_does_not_fit 2 "deepseek-v3 does not fit" ${PD_SCENARIO} --quiet --set serving.decode_replicas=2 --set serving.decode_tensor_parallel=4 --set serving.decode_expert_parallel=4)
dssim_cli_test(pd_bad_pool_tp 1 "tensor_parallel = 3 does not divide" ${PD_SCENARIO} --quiet --set serving.decode_tensor_parallel=3)

# Published runs of other GPUs (dssim validate's public sets) and the runtime profiles they use.
dssim_cli_test(predict_runtime_trtllm 0 "time per output token" predict --model llama-2-70b --gpu h100-sxm --tp 4 --runtime trtllm-0.6 --weights fp8 --kv-cache fp8 --batch 64 --prompt 2048 --output 16 --cuda-graphs off)
dssim_cli_test(predict_bad_runtime 1 "unknown runtime 'tensorrt'; known: compiled, fused, pytorch, trtllm-0.6, trtllm-0.9" predict --model llama-2-7b --gpu h100-sxm --runtime tensorrt)
dssim_cli_test(validate_bad_moe 1 "validate_bad_moe.toml: \\[bands\\] moe = 'public.reference': that set has no predicted row of a mixture-of-experts model" validate tests/integration/cases/validate_bad_moe.toml)
dssim_cli_test(validate_bad_borrowed 1 "validate_bad_borrowed.toml: \\[bands\\] borrowed = 'public.nope': expected the name of a published set" validate tests/integration/cases/validate_bad_borrowed.toml)
dssim_cli_test(validate_bad_public_metric 1 "bad_public_runs.csv:3: column 'metric' 'tokens_per_joule': expected out_tok_s_per_gpu" validate tests/integration/cases/validate_bad_public.toml)
# recommend over the serving stack: policy, prefix cache, speculation, prefill/decode pools.
dssim_cli_test(recommend_stack 0 "2 x h100-sxm, TP 1 x 2 replicas, continuous, 1P1D" recommend tests/integration/cases/recommend_stack.toml --quiet)
dssim_cli_test(bad_recommend_pd 1 "recommend_bad_pd.toml:5: key 'search.prefill_decode': '2-1': expected \"colocated\" or a ratio \"P:D\"" recommend tests/integration/cases/recommend_bad_pd.toml)
dssim_cli_test(bad_recommend_policy 1 "recommend_bad_policy.toml:5: key 'search.policy': 'continous' is not one of static, adaptive, continuous, chunked" recommend tests/integration/cases/recommend_bad_policy.toml)
dssim_cli_test(bad_recommend_prefix 1 "recommend_bad_prefix.toml:5: key 'search.prefix_cache': expected true or false" recommend tests/integration/cases/recommend_bad_prefix.toml)
dssim_cli_test(bad_recommend_policy_base_key 1 "r1_qwen32b_20rps.toml:18: key 'serving.max_batched_tokens': \\[search\\] policy varies the batch policy" recommend tests/integration/cases/recommend_policy_base_budget.toml)
# A search over GPUs whose servers are priced and GPUs whose are not says the comparison flatters the latter.
# recommend over node files: pools on their own kind of node, experts beyond one node.
dssim_cli_test(recommend_pools 0 "^  16 x h200-sxm \\(2 x hgx-8xh200\\), TP 8 EP 8 x 2 replicas, 8192-token iterations, 1P1D +\\$5\\.303" recommend scenarios/recommend/v3_pools_h100_h200.toml --quiet --jobs 2)
# The H100-prefill / H200-decode candidate is simulated and qualifies (at a higher $/M than H200 pools).
add_test(NAME cli.recommend_pools_h100_h200 COMMAND bash -c "set -e; d=$(mktemp -d); $<TARGET_FILE:dssim> recommend scenarios/recommend/v3_pools_h100_h200.toml --quiet --jobs 2 --out $d/r > /dev/null; grep -c '^[0-9]*,h100-sxm,16,dgx-8xh100-sxm,2,8,16,1,1,1,1,hgx-8xh200,1,h200-sxm,8,8,fp8,256,true,' $d/r/candidates.csv; rm -rf $d"
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.recommend_pools_h100_h200 PROPERTIES LABELS integration ENVIRONMENT "DSSIM_DATA_DIR=${PROJECT_SOURCE_DIR}" PASS_REGULAR_EXPRESSION "^2\n")
add_test(NAME cli.recommend_pools_json_schema COMMAND bash -c "set -e; d=$(mktemp -d); $<TARGET_FILE:dssim> recommend scenarios/recommend/v3_pools_h100_h200.toml --quiet --jobs 2 --format json > $d/r.json; grep -q '\"decode_node\": \"hgx-8xh200\"' $d/r.json; $<TARGET_FILE:dssim_golden> schema $d/r.json; rm -rf $d"
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.recommend_pools_json_schema PROPERTIES LABELS integration ENVIRONMENT "DSSIM_DATA_DIR=${PROJECT_SOURCE_DIR}" PASS_REGULAR_EXPRESSION "kinds .*recommend")
dssim_cli_test(bad_recommend_decode_node 1 "recommend_bad_decode_node.toml:5: key 'search.decode_node': a decode pool on its own nodes .* give \\[search\\] node" recommend tests/integration/cases/recommend_bad_decode_node.toml)
dssim_cli_test(bad_recommend_set 1 "recommend_bad_set.toml:3: key 'set': expected \"section.key=value\" strings" recommend tests/integration/cases/recommend_bad_set.toml)
dssim_cli_test(bad_recommend_nodes 1 "recommend_bad_nodes.toml:5: key 'search.nodes': 'nodes' counts the copies of \\[search\\] node" recommend tests/integration/cases/recommend_bad_nodes.toml)
dssim_cli_test(bad_recommend_ep_dense 1 "recommend_bad_ep_dense.toml: \\[search\\] expert_parallel: deepseek-llm-7b is a dense model" recommend tests/integration/cases/recommend_bad_ep_dense.toml)
dssim_cli_test(bad_recommend_decode_base 1 "the base's \\[decode_platform\\] would fix the decode pool's" recommend tests/integration/cases/recommend_decode_base.toml)
dssim_cli_test(recommend_server_note 0 "Note: servers are priced for h100-sxm, h200-sxm but not for l40s" recommend scenarios/recommend/v2lite_chat_stack.toml --quiet)
dssim_cli_test(recommend_v2lite_stack 0 "^  1 x h200-sxm, TP 1 x 1 replica, 2048-token iterations, chunked, prefix cache +\\$0\\.446" recommend scenarios/recommend/v2lite_chat_stack.toml --quiet)
# recommend beyond one machine: the Slurm steps run task by task here (a real Slurm: cli.sweep_on_slurm)
add_test(NAME cli.recommend_slurm_steps COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/recommend_slurm_steps.sh $<TARGET_FILE:dssim>
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.recommend_slurm_steps PROPERTIES LABELS integration ENVIRONMENT "DSSIM_DATA_DIR=${PROJECT_SOURCE_DIR}")
dssim_cli_test(bad_recommend_candidate_no_out 1 "--emit, --candidate and --merge need --out DIR" recommend tests/integration/cases/recommend_small.toml --candidate 0)
dssim_cli_test(bad_recommend_emit 1 "--emit 'pbs': expected slurm" recommend tests/integration/cases/recommend_small.toml --out /tmp/dssim_never --emit pbs)
dssim_cli_test(bad_recommend_two_steps 1 "give one at a time" recommend tests/integration/cases/recommend_small.toml --out /tmp/dssim_never --emit slurm --merge)
dssim_cli_test(bad_recommend_merge_unemitted 1 "recommend.fingerprint is missing: emit the array first" recommend tests/integration/cases/recommend_small.toml --out tests/integration/cases --merge)
# 2:4 structured sparsity (a what-if): GPUs without sparse tensor cores refuse it; a misspelt pattern is named.
dssim_cli_test(sparsity_t4_refused 1 "sparsity = \"2:4\" needs sparse tensor cores \\(Ampere or later\\); t4 \\(turing\\) has none" scenarios/14b_int8_t4.toml --set model.sparsity="2:4")
dssim_cli_test(sparsity_bad_pattern 1 "key 'model.sparsity' \\(from --set\\): '3:4' is not one of none, 2:4" scenarios/33b_a100.toml --set model.sparsity="3:4")
dssim_cli_test(sparsity_json 0 "\"sparsity\": \"2:4\"" scenarios/whatif/33b_a100_sparse24.toml --format json)
# The sweep's Pareto chart: its title states the answer, each front point is labelled by its axis values.
add_test(NAME cli.sweep_pareto_labels COMMAND bash -c "set -e; d=$(mktemp -d); $<TARGET_FILE:dssim> sweep scenarios/sweeps/33b_gpus_batches.toml --out $d/s --quiet > /dev/null; grep -q 'set title \"The cheapest [$]/M tokens at each TPOT: 4 of 40 points are on the front\"' $d/s/pareto.gp; grep -q \"('weights='.strcol(2).' '.'gpu='.strcol(3).' '.'max_batch='.strcol(4).' '.'batch='.strcol(5)) with labels\" $d/s/pareto.gp; rm -rf $d; echo ok"
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.sweep_pareto_labels PROPERTIES LABELS integration ENVIRONMENT "DSSIM_DATA_DIR=${PROJECT_SOURCE_DIR}")

# DeepEP's kernels for the EP all-to-all (docs/parallelism.md).
dssim_cli_test(deepep_forwarded 0 "communication \\(first GPU\\) +prefill 738\\.[0-9]+ ms" scenarios/parallel/v3_fp8_2x8h100_ep16.toml --quiet --set serving.ep_a2a=deepep)
dssim_cli_test(deepep_sms_alone 1 "deepep_sms is the SMs DeepEP's normal kernels hold; it needs ep_a2a = \"deepep\"" scenarios/parallel/v3_fp8_h200x8_ep8.toml --quiet --set serving.deepep_sms=24)
dssim_cli_test(deepep_bad_a2a 1 "'nccl' is not one of direct, deepep" scenarios/parallel/v3_fp8_h200x8_ep8.toml --quiet --set serving.ep_a2a=nccl)
dssim_cli_test(deepep_mode_bad 1 "--deepep-mode fast: expected auto, normal or low_latency" scenarios/serving/v3_h200x8_sglang_mtp_command.toml --quiet --set "engine.command=python3 -m sglang.launch_server --model-path deepseek-ai/DeepSeek-V3 --tp 8 --deepep-mode fast")
dssim_cli_test(deepep_from_command 0 "serving.ep_a2a = \"deepep\"" scenarios/serving/v3_h200x8_sglang_mtp_command.toml --quiet --set "engine.command=python3 -m sglang.launch_server --model-path deepseek-ai/DeepSeek-V3 --tp 8 --moe-a2a-backend deepep")
