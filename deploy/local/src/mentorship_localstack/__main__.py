from mentorship_localstack.cli import main

raise SystemExit(main())
