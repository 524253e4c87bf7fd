"""deploy/k8s: both overlays render, their core resources pass the Kubernetes schemas, and the
custom resources, scaling, wiring and settings hold what the platform needs."""

from __future__ import annotations

import copy
from pathlib import Path

import kubernetes_validate  # type: ignore[import-untyped]
import pytest

from .checks import (
    KUBERNETES_VERSION,
    OVERLAYS,
    RenderError,
    Resource,
    consumer_subscriptions,
    ingress_problems,
    kafka_problems,
    manifest_environment_problems,
    mongodb_problems,
    monitoring_problems,
    overlay_problems,
    render,
    scaling_problems,
    schema_problems,
    secret_source_problems,
    secret_variables,
    workload_problems,
)
from .conftest import edit


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_overlay_renders_every_part(overlay: str, rendered: dict[str, list[Resource]]) -> None:
    kinds = {r["kind"] for r in rendered[overlay]}
    assert {
        "Deployment", "Service", "ConfigMap", "HorizontalPodAutoscaler", "PodDisruptionBudget",
        "ScaledObject", "Kafka", "KafkaNodePool", "KafkaTopic", "Namespace", "Ingress",
    } <= kinds  # fmt: skip


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_core_resources_pass_the_kubernetes_schemas(
    overlay: str, rendered: dict[str, list[Resource]]
) -> None:
    assert schema_problems(rendered[overlay]) == []


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_workloads_kafka_scaling_mongodb_and_settings_hold(
    overlay: str, rendered: dict[str, list[Resource]]
) -> None:
    assert overlay_problems(overlay, rendered[overlay]) == []


def test_production_runs_mongodb_as_a_replica_set_and_is_scraped(
    rendered: dict[str, list[Resource]],
) -> None:
    kinds = [r["kind"] for r in rendered["prod"]]
    assert kinds.count("MongoDBCommunity") == 1
    assert kinds.count("PodMonitor") == 1


def test_the_services_that_consume_are_the_ones_scaled_on_lag() -> None:
    # The checks derive the consumer groups from the code; this pins what they found today.
    assert {g for g, _ in consumer_subscriptions("progress")} == {
        "progress",
        "progress-report",
        "progress-data-exports",
    }
    assert {g for g, _ in consumer_subscriptions("notify")} == {"notify", "notify-data-exports"}
    assert consumer_subscriptions("mentoring") == {
        ("mentoring", "mentoring.audit"),
        ("mentoring", "mentoring.participants"),
        ("mentoring-data-exports", "mentoring.data_requests"),
        ("mentoring-data-exports", "progress.data_requests"),
        ("mentoring-data-exports", "notify.data_requests"),
    }


# --- the same checks on broken copies of deploy/k8s ------------------------------------------


def _render(kustomize: Path, copy: Path, overlay: str) -> list[Resource]:
    return render(kustomize, copy / "overlays" / overlay)


def test_a_kustomization_naming_a_missing_file_does_not_render(
    kustomize: Path, k8s_copy: Path
) -> None:
    edit(k8s_copy / "base/kustomization.yaml", "  - topics.yaml\n", "  - topic.yaml\n")
    with pytest.raises(RenderError, match=r"topic\.yaml"):
        _render(kustomize, k8s_copy, "dev")


@pytest.mark.parametrize(
    ("old", "new", "complaint"),
    [
        ("              containerPort: 8102", "              containerPort: http", "containerPort"),
        ("          readinessProbe:", "          readinessProbes:", "readinessProbes"),
        ("  minReplicas: 2", "  minReplicas: two", "minReplicas"),
        (
            "            readOnlyRootFilesystem: true",
            "            readOnlyRootFileSystem: true",
            "readOnlyRootFileSystem",
        ),
    ],
)
def test_the_schema_check_rejects_a_broken_manifest(
    kustomize: Path, k8s_copy: Path, old: str, new: str, complaint: str
) -> None:
    edit(k8s_copy / "base/progress.yaml", old, new)
    problems = schema_problems(_render(kustomize, k8s_copy, "prod"))
    assert any(complaint in problem for problem in problems), problems


@pytest.mark.parametrize(
    ("path", "old", "new", "complaint"),
    [
        ("base/kafka.yaml", "  replicas: 3\n", "  replicas: 1\n", "Kafka has 1 brokers"),
        (
            "base/kafka.yaml",
            "      min.insync.replicas: 2\n",
            "      min.insync.replicas: 1\n",
            "min.insync.replicas 1",
        ),
        (
            "base/topics.yaml",
            "  topicName: mentoring.matches\n  partitions: 6",
            "  topicName: mentoring.matches\n  partitions: 12",
            "has 12 partitions",
        ),
        (
            "base/topics.yaml",
            "  topicName: progress.events\n",
            "  topicName: progress.event\n",
            "no KafkaTopic for progress.events",
        ),
        (
            "base/topics.yaml",
            "  topicName: progress.events.dlq.notify\n",
            "  topicName: progress.events.dlq.notifications\n",
            "no KafkaTopic for progress.events.dlq.notify",
        ),
    ],
)
def test_the_kafka_check_rejects_weaker_durability_or_wrong_topics(
    kustomize: Path, k8s_copy: Path, path: str, old: str, new: str, complaint: str
) -> None:
    edit(k8s_copy / path, old, new)
    problems = kafka_problems("prod", _render(kustomize, k8s_copy, "prod"))
    assert any(complaint in problem for problem in problems), problems


@pytest.mark.parametrize(
    ("old", "new", "complaint"),
    [
        ("  maxReplicaCount: 6", "  maxReplicaCount: 12", "beyond 6 partitions"),
        ("  minReplicaCount: 1", "  minReplicaCount: 0", "scale to zero"),
        ("        consumerGroup: notify\n", "        consumerGroup: notifications\n", "watches"),
        (
            '        allowIdleConsumers: "false"',
            '        allowIdleConsumers: "true"',
            "idle consumers",
        ),
        (
            "  scaleTargetRef:\n    name: notify-worker",
            "  scaleTargetRef:\n    name: notify-api",
            "needs exactly one ScaledObject",
        ),
    ],
)
def test_the_scaling_check_rejects_a_broken_scaled_object(
    kustomize: Path, k8s_copy: Path, old: str, new: str, complaint: str
) -> None:
    edit(k8s_copy / "base/notify.yaml", old, new)
    problems = scaling_problems("dev", _render(kustomize, k8s_copy, "dev"))
    assert any(complaint in problem for problem in problems), problems


def test_a_worker_without_a_scaled_object_is_rejected(kustomize: Path, k8s_copy: Path) -> None:
    text = (k8s_copy / "base/progress.yaml").read_text()
    head, _, _ = text.partition("# The worker follows its consumer groups' lag")
    (k8s_copy / "base/progress.yaml").write_text(head.rstrip().removesuffix("---"))
    problems = scaling_problems("prod", _render(kustomize, k8s_copy, "prod"))
    assert "prod: progress-worker needs exactly one ScaledObject, has 0" in problems


@pytest.mark.parametrize(
    ("path", "old", "new", "complaint"),
    [
        # a required variable gone: the Secret reference of MongoDB's URL
        (
            "base/mentoring.yaml",
            "            - name: MONGODB_URL\n",
            "            - name: MONGO_URL\n",
            "MONGODB_URL is required by mentoring",
        ),
        # a variable that is no setting (a typo)
        (
            "base/config/notify.env",
            "HTTP_PORT=8103",
            "HTTP_PORT=8103\nOUTBOX_SWEEP_SECOND=5",
            "OUTBOX_SWEEP_SECOND is not a setting of notify",
        ),
        # a value the settings refuse
        (
            "base/mentoring.yaml",
            "              value: worker\n",
            "              value: workers\n",
            "ROLE",
        ),
        # prod without the JWKS URL: the settings refuse the prod profile
        (
            "overlays/prod/kustomization.yaml",
            "      - JWT_JWKS_URL=https://auth.example.com/.well-known/jwks.json\n",
            "",
            "JWT_JWKS_URL",
        ),
        # the web app's sign-in asking for no OpenID scope: the gateway's settings refuse it
        (
            "overlays/prod/kustomization.yaml",
            "      - OIDC_SCOPE=openid profile email\n",
            "      - OIDC_SCOPE=profile email\n",
            "OIDC_SCOPE must include openid",
        ),
        # roles read from a claim path no token can have
        (
            "overlays/prod/kustomization.yaml",
            "      - JWT_ROLES_CLAIM=roles\n",
            "      - JWT_ROLES_CLAIM=realm_access..roles\n",
            "JWT_ROLES_CLAIM",
        ),
        # the gateway pointed at a Service port that does not exist
        (
            "base/config/gateway.env",
            "PROGRESS_URL=http://progress-api:8102",
            "PROGRESS_URL=http://progress-api:8000",
            "does not listen",
        ),
    ],
)
def test_the_settings_check_rejects_missing_misspelt_or_refused_variables(
    kustomize: Path, k8s_copy: Path, path: str, old: str, new: str, complaint: str
) -> None:
    edit(k8s_copy / path, old, new)
    problems = manifest_environment_problems("prod", _render(kustomize, k8s_copy, "prod"))
    assert any(complaint in problem for problem in problems), problems


@pytest.mark.parametrize(
    ("old", "new", "complaint"),
    [
        ("            allowPrivilegeEscalation: false\n", "", "privilege escalation"),
        (
            "            readOnlyRootFilesystem: true",
            "            readOnlyRootFilesystem: false",
            "writable",
        ),
        ("        runAsNonRoot: true\n", "", "may run as root"),
        ("              memory: 512Mi\n", "", "no memory limit"),
    ],
)
def test_the_workload_check_rejects_missing_limits_or_security(
    kustomize: Path, k8s_copy: Path, old: str, new: str, complaint: str
) -> None:
    edit(k8s_copy / "base/gateway.yaml", old, new)
    problems = workload_problems(_render(kustomize, k8s_copy, "prod"))
    assert any(complaint in problem for problem in problems), problems


def test_a_deployment_without_a_disruption_budget_or_probe_is_rejected(
    kustomize: Path, k8s_copy: Path
) -> None:
    text = (k8s_copy / "base/gateway.yaml").read_text()
    documents = text.split("---\n")
    kept = [d for d in documents if "kind: PodDisruptionBudget" not in d]
    (k8s_copy / "base/gateway.yaml").write_text("---\n".join(kept))
    liveness = (k8s_copy / "base/mentoring.yaml").read_text().split("          livenessProbe:\n")
    (k8s_copy / "base/mentoring.yaml").write_text(
        liveness[0]
        + "          x-removed:\n"
        + liveness[1]
        + "          livenessProbe:\n"
        + liveness[2]
    )
    problems = workload_problems(_render(kustomize, k8s_copy, "dev"))
    assert "gateway: needs exactly one PodDisruptionBudget" in problems
    assert "mentoring-api/mentoring: no livenessProbe" in problems


def test_the_mongodb_check_rejects_a_small_replica_set_or_a_user_on_another_database(
    kustomize: Path, k8s_copy: Path
) -> None:
    edit(k8s_copy / "overlays/prod/mongodb.yaml", "  members: 3", "  members: 2")
    edit(
        k8s_copy / "overlays/prod/mongodb.yaml",
        "        - name: readWrite\n          db: progress",
        "        - name: readWrite\n          db: mentoring",
    )
    problems = mongodb_problems("prod", _render(kustomize, k8s_copy, "prod"))
    assert any("has 2 members" in p for p in problems), problems
    assert "prod: MongoDB user progress may not write progress" in problems


def test_the_monitoring_check_rejects_a_pod_monitor_that_misses_pods(
    kustomize: Path, k8s_copy: Path
) -> None:
    edit(
        k8s_copy / "overlays/prod/podmonitor.yaml",
        "app.kubernetes.io/part-of: mentorship",
        "app.kubernetes.io/part-of: platform",
    )
    edit(k8s_copy / "overlays/prod/podmonitor.yaml", "  jobLabel: app.kubernetes.io/name\n", "")
    problems = monitoring_problems(_render(kustomize, k8s_copy, "prod"))
    assert "PodMonitor/mentorship misses gateway" in problems
    assert "PodMonitor/mentorship: the job of gateway would not be its service's name" in problems


def test_a_secret_setting_written_in_a_config_map_is_rejected(
    kustomize: Path, k8s_copy: Path
) -> None:
    assert "JWT_SECRET" in secret_variables("gateway")
    edit(
        k8s_copy / "overlays/dev/kustomization.yaml",
        "      - PROFILE=dev\n",
        "      - PROFILE=dev\n      - JWT_SECRET=written-in-the-open\n",
    )
    problems = secret_source_problems(_render(kustomize, k8s_copy, "dev"))
    assert "gateway: JWT_SECRET is a secret but is set in plain text" in problems


def test_the_cached_schema_validator_agrees_with_kubernetes_validate(
    rendered: dict[str, list[Resource]],
) -> None:
    core = [r for r in rendered["dev"] if r["kind"] in {"Deployment", "Service", "ConfigMap"}]
    broken = copy.deepcopy(next(r for r in core if r["kind"] == "Deployment"))
    broken["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"] = "http"
    for resource in [*core, broken]:
        try:
            kubernetes_validate.validate(resource, KUBERNETES_VERSION, strict=True)
            accepted = True
        except kubernetes_validate.ValidationError:
            accepted = False
        assert (schema_problems([resource]) == []) == accepted, resource["metadata"]["name"]


def test_production_e_mail_credentials_come_from_a_secret_for_the_sending_worker_only(
    rendered: dict[str, list[Resource]], kustomize: Path, k8s_copy: Path
) -> None:
    deployments = {r["metadata"]["name"]: r for r in rendered["prod"] if r["kind"] == "Deployment"}
    env_names = {
        name: {
            i["name"] for c in d["spec"]["template"]["spec"]["containers"] for i in c.get("env", [])
        }
        for name, d in deployments.items()
    }
    assert {"SMTP_USERNAME", "SMTP_PASSWORD"} <= env_names["notify-worker"]
    assert not {"SMTP_USERNAME", "SMTP_PASSWORD"} & env_names["notify-api"]
    edit(
        k8s_copy / "overlays/prod/kustomization.yaml",
        "      - SMTP_TLS=starttls\n",
        "      - SMTP_TLS=starttls\n      - SMTP_PASSWORD=hunter2\n",
    )
    problems = secret_source_problems(_render(kustomize, k8s_copy, "prod"))
    assert "notify-api: SMTP_PASSWORD is a secret but is set in plain text" in problems


def test_the_web_app_is_the_entry_point_and_scales_like_the_gateway(
    rendered: dict[str, list[Resource]],
) -> None:
    for overlay, image in (
        ("dev", "mentorship/web:dev"),
        ("prod", "registry.example.com/mentorship/web:0.1.0"),
    ):
        resources = {(r["kind"], r["metadata"]["name"]): r for r in rendered[overlay]}
        web = resources[("Deployment", "web")]
        pod = web["spec"]["template"]
        assert pod["metadata"]["labels"] == {
            "app.kubernetes.io/name": "web",
            "app.kubernetes.io/component": "web",
            "app.kubernetes.io/part-of": "mentorship",
        }
        (container,) = pod["spec"]["containers"]
        assert container["image"] == image
        assert not any("secretRef" in source for source in container["envFrom"])  # no JWT key
        assert resources[("HorizontalPodAutoscaler", "web")]["spec"]["minReplicas"] == (
            1 if overlay == "dev" else 2
        )
        assert ingress_problems(rendered[overlay]) == []
    tls = next(r for r in rendered["prod"] if r["kind"] == "Ingress")["spec"]["tls"]
    assert tls == [{"hosts": ["mentorship.example.com"], "secretName": "mentorship-tls"}]


def _without_document(path: Path, kind: str) -> None:
    documents = path.read_text().split("---\n")
    path.write_text("---\n".join(d for d in documents if f"kind: {kind}\n" not in d))


@pytest.mark.parametrize(
    ("path", "old", "new", "complaint"),
    [
        (
            "base/config/web.env",
            "GATEWAY_URL=http://gateway:8100",
            "GATEWAY_URL=http://gateway:8000",
            "prod web: GATEWAY_URL points at gateway:8000, which does not listen there",
        ),
        (
            "base/config/web.env",
            "GATEWAY_URL=",
            "GATEWAY_ULR=",
            "prod web: GATEWAY_ULR is not a variable of the web image (a typo?)",
        ),
        (
            "base/config/web.env",
            "http://gateway:8100",
            "http://mentoring-api:8101",
            "prod web: GATEWAY_URL is not the gateway's Service (scheme://host:port)",
        ),
        (
            "base/web.yaml",
            "            - name: conf\n              mountPath: /etc/nginx/conf.d\n",
            "",
            "prod web: nginx cannot write /etc/nginx/conf.d (read-only root filesystem, "
            "nothing mounted)",
        ),
        (
            "base/web.yaml",
            "              containerPort: 8080",
            "              containerPort: 80",
            "prod web: port `http` is 80, the web image listens on 8080",
        ),
        (
            "base/ingress.yaml",
            "                name: web\n",
            "                name: gateway\n",
            "Ingress/mentorship: / goes to the gateway directly; the web app's server passes its "
            "paths on",
        ),
        (
            "base/ingress.yaml",
            "                  name: http",
            "                  name: https",
            "Ingress/mentorship: / goes to a port web does not have",
        ),
        (
            "base/ingress.yaml",
            "                name: web\n",
            "                name: website\n",
            "Ingress/mentorship: / goes to website, which is not a Service",
        ),
        (
            "overlays/prod/podmonitor.yaml",
            "        values: [web]",
            "        values: [mailpit]",
            "PodMonitor/mentorship scrapes web, which serves no metrics",
        ),
    ],
)
def test_the_checks_reject_a_broken_web_workload_or_ingress(
    kustomize: Path, k8s_copy: Path, path: str, old: str, new: str, complaint: str
) -> None:
    edit(k8s_copy / path, old, new)
    problems = overlay_problems("prod", _render(kustomize, k8s_copy, "prod"))
    assert complaint in problems, problems


def test_a_web_app_without_autoscaling_or_an_ingress_is_rejected(
    kustomize: Path, k8s_copy: Path
) -> None:
    _without_document(k8s_copy / "base/web.yaml", "HorizontalPodAutoscaler")
    edit(k8s_copy / "base/kustomization.yaml", "  - ingress.yaml\n", "")
    problems = overlay_problems("prod", _render(kustomize, k8s_copy, "prod"))
    assert "web: needs one HorizontalPodAutoscaler" in problems
    assert "`/` must go to the web Service through one Ingress, goes to []" in problems
