from yibao_desktop.app import main

raise SystemExit(main())
