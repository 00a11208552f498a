"""EC2 and ECS Anywhere capacity: the images instances boot and the script machines register with.
Data only, each fact with its source."""

from __future__ import annotations

#: ECS Anywhere's installation script, its detached ASCII signature (the script's URL plus
#: ``.asc``) and the Amazon ECS PGP key that signs it ("Amazon ECS <ecs-security@amazon.com>",
#: primary key fingerprint ``F34C 3DDA E729 26B0 79BE AEC6 BCE9 D9A4 2D51 784F``, key ID
#: ``BCE9D9A42D51784F``): "Registering an external instance to a cluster", AWS CLI for Linux,
#: the optional verification steps
#: (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-anywhere-registration.html).
ECS_ANYWHERE_INSTALL_SCRIPT = "https://amazon-ecs-agent.s3.amazonaws.com/ecs-anywhere-install-latest.sh"
ECS_ANYWHERE_SIGNING_KEY = "F34C3DDAE72926B079BEAEC6BCE9D9A42D51784F"
#: Where the key is fetched from. AWS's page names ``hkp://keys.gnupg.net:80``, a name of the SKS
#: keyserver pool, which stopped serving in 2021; the key is fetched by its full fingerprint from
#: the Ubuntu keyserver instead (GnuPG imports only a key whose fingerprint is the one asked for).
ECS_ANYWHERE_KEYSERVER = "hkp://keyserver.ubuntu.com:80"
